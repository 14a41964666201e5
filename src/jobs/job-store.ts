import type { Job } from '../opencast/model.js';

/** Where the API keeps the jobs it created, until a shared store replaces it. */
export interface JobStore {
  get(id: string): Job | undefined;
  put(job: Job): void;
}

/**
 * Jobs in this process's memory. The oldest are dropped once there are more than
 * `maxJobs` or their text (arguments and payload, which hold whole mediapackages) adds up
 * to more than `maxBytes`; a Map iterates in insertion order and every write re-inserts.
 * Enough for a single API process; several API processes need a shared store (README,
 * "Limits").
 */
export class MemoryJobStore implements JobStore {
  readonly #jobs = new Map<string, { job: Job; bytes: number }>();
  #bytes = 0;

  constructor(
    private readonly maxJobs = 10_000,
    private readonly maxBytes = 256 * 1024 * 1024,
  ) {}

  get(id: string): Job | undefined {
    return this.#jobs.get(id)?.job;
  }

  put(job: Job): void {
    this.#remove(job.id);
    const bytes = sizeOf(job);
    this.#jobs.set(job.id, { job, bytes });
    this.#bytes += bytes;
    while (this.#jobs.size > 1 && (this.#jobs.size > this.maxJobs || this.#bytes > this.maxBytes)) {
      const oldest = this.#jobs.keys().next();
      if (oldest.done === true) break;
      this.#remove(oldest.value);
    }
  }

  #remove(id: string): void {
    const entry = this.#jobs.get(id);
    if (entry === undefined) return;
    this.#bytes -= entry.bytes;
    this.#jobs.delete(id);
  }
}

/** Roughly the memory a job holds: its strings, counted as UTF-16. */
function sizeOf(job: Job): number {
  let chars = 512 + (job.payload?.length ?? 0);
  for (const arg of job.args ?? []) chars += arg.length;
  return chars * 2;
}
