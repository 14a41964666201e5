/**
 * A worker's memory budget for uploads, counted in bytes in flight rather than in uploads:
 * a large upload holds its parts in memory, a small one little more than its body, so a
 * flat count either wastes memory on small files or runs out of it on large ones.
 * Pure: no I/O.
 */

/** Gives the reserved bytes back; calling it again does nothing. */
export type Release = () => void;

interface Waiter {
  readonly bytes: number;
  readonly grant: (release: Release) => void;
}

/**
 * Hands out reservations first come, first served: a request waits while an earlier one
 * waits, so a large upload is not starved by a stream of small ones. A request larger than
 * the whole budget is cut to it, so it runs once everything else is done.
 */
export class ByteBudget {
  readonly totalBytes: number;
  #inUse = 0;
  readonly #waiting: Waiter[] = [];

  constructor(totalBytes: number) {
    if (!Number.isSafeInteger(totalBytes) || totalBytes < 1) {
      throw new RangeError(`a byte budget must be a positive integer, got ${totalBytes}`);
    }
    this.totalBytes = totalBytes;
  }

  /** Bytes reserved now. */
  get inUse(): number {
    return this.#inUse;
  }

  /** Reservations waiting now. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Reserves `bytes` (at least 0, at most the budget), waiting for room. Rejects with the
   * signal's reason, reserving nothing, when `signal` aborts first.
   */
  acquire(bytes: number, signal?: AbortSignal): Promise<Release> {
    const wanted = Math.min(this.totalBytes, Math.max(0, Math.ceil(bytes)));
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    if (this.#waiting.length === 0 && this.#fits(wanted)) {
      return Promise.resolve(this.#take(wanted));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        bytes: wanted,
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      const onAbort = (): void => {
        const at = this.#waiting.indexOf(waiter);
        if (at >= 0) this.#waiting.splice(at, 1);
        // The head may have been what held the others back.
        this.#grantWaiting();
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  #fits(bytes: number): boolean {
    return this.#inUse + bytes <= this.totalBytes;
  }

  #take(bytes: number): Release {
    this.#inUse += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inUse -= bytes;
      this.#grantWaiting();
    };
  }

  #grantWaiting(): void {
    for (;;) {
      const head = this.#waiting[0];
      if (head === undefined || !this.#fits(head.bytes)) return;
      this.#waiting.shift();
      head.grant(this.#take(head.bytes));
    }
  }
}
