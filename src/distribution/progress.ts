import type { JobProgress } from '../opencast/model.js';

/**
 * Counts how far a distribute got, for progress reports. The upload updates it per chunk
 * (a few additions, nothing sent); a reporter reads {@link snapshot} at its own pace, so
 * the upload never waits for a report.
 */
export class ProgressTracker {
  #lengths: (number | undefined)[] = [];
  #bytes: number[] = [];
  #finished: boolean[] = [];

  /** The elements to write, with their lengths where known (mediapackage `size`). */
  plan(lengths: readonly (number | undefined)[]): void {
    this.#lengths = [...lengths];
    this.#bytes = lengths.map(() => 0);
    this.#finished = lengths.map(() => false);
  }

  /** Element `index` has `bytes` written; `length` is its source's declared length, if any. */
  bytes(index: number, bytes: number, length?: number): void {
    if (index < 0 || index >= this.#bytes.length) return;
    this.#bytes[index] = bytes;
    if (length !== undefined) this.#lengths[index] = length;
  }

  /** Element `index` is stored with `size` bytes. */
  finished(index: number, size: number): void {
    if (index < 0 || index >= this.#bytes.length) return;
    this.#bytes[index] = size;
    this.#lengths[index] = size;
    this.#finished[index] = true;
  }

  /** The progress as of now; undefined before {@link plan}. */
  snapshot(): JobProgress | undefined {
    if (this.#lengths.length === 0) return undefined;
    const bytesDone = this.#bytes.reduce((sum, bytes) => sum + bytes, 0);
    const known = this.#lengths.every((length) => length !== undefined);
    return {
      bytesDone,
      bytesTotal: known
        ? this.#lengths.reduce<number>((sum, length) => sum + (length ?? 0), 0)
        : undefined,
      elementsDone: this.#finished.filter(Boolean).length,
      elementsTotal: this.#lengths.length,
    };
  }
}
