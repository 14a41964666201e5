import type { OutgoingEvent } from '../contract/event.js';
import type { ErrorInfo } from '../errors.js';

/** The terminal outcome of one command: the event announced and the reply sent. */
export interface RecordedOutcome {
  readonly event: OutgoingEvent;
  readonly status: 'FINISHED' | 'FAILED';
  readonly payload?: string | undefined;
  readonly error?: ErrorInfo | undefined;
}

/** Ends a run started by {@link OutcomeLedger.begin}: its outcome, or none (handed back). */
export type FinishRun = (outcome: RecordedOutcome | undefined) => void;

/** What {@link OutcomeLedger.begin} found: an earlier outcome, or the right to run. */
export type Claim =
  | { readonly earlier: RecordedOutcome; readonly finish?: undefined }
  | { readonly earlier?: undefined; readonly finish: FinishRun };

interface Entry {
  readonly outcome: RecordedOutcome;
  readonly at: number;
}

/**
 * Remembers the terminal outcome of each command this process ran (an LRU bounded in size
 * and age), so that a duplicate delivery (a redelivery, or the same command published
 * twice) re-announces the same outcome, with the same event, instead of running again and
 * perhaps ending differently. A duplicate that arrives while the first run is still going
 * waits for it. In-process only: duplicates handled by different processes are not seen.
 */
export class OutcomeLedger {
  readonly #done = new Map<string, Entry>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(options: { maxEntries?: number; maxAgeMs?: number; now?: () => number } = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#maxAgeMs = options.maxAgeMs ?? 3_600_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Claims `key` (a job id and operation) for a run, after any run of it in this process
   * ended. Resolves with the earlier outcome if one is recorded, else with `finish`, which
   * the caller must call exactly once.
   */
  async begin(key: string): Promise<Claim> {
    for (;;) {
      const running = this.#running.get(key);
      if (running === undefined) break;
      await running;
    }
    const earlier = this.#lookup(key);
    if (earlier !== undefined) return { earlier };
    let release: () => void = () => undefined;
    this.#running.set(
      key,
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    let finished = false;
    return {
      finish: (outcome) => {
        if (finished) return;
        finished = true;
        if (outcome !== undefined) this.#record(key, outcome);
        this.#running.delete(key);
        release();
      },
    };
  }

  #lookup(key: string): RecordedOutcome | undefined {
    const entry = this.#done.get(key);
    if (entry === undefined) return undefined;
    if (this.#now() - entry.at > this.#maxAgeMs) {
      this.#done.delete(key);
      return undefined;
    }
    return entry.outcome;
  }

  #record(key: string, outcome: RecordedOutcome): void {
    this.#done.delete(key);
    this.#done.set(key, { outcome, at: this.#now() });
    // Maps iterate in insertion order: the first key is the oldest.
    while (this.#done.size > this.#maxEntries) {
      const oldest = this.#done.keys().next().value;
      if (oldest === undefined) break;
      this.#done.delete(oldest);
    }
  }
}
