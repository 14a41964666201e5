import type { Job } from '../opencast/model.js';

/** Where the API keeps the jobs it created, until a shared store replaces it. */
export interface JobStore {
  get(id: string): Job | undefined;
  put(job: Job): void;
}

/**
 * Jobs in this process's memory, the oldest dropped once `capacity` is reached (a Map
 * iterates in insertion order, and every write re-inserts). Enough for a single API
 * process; several API processes need a shared store (see README, "Limits").
 */
export class MemoryJobStore implements JobStore {
  readonly #jobs = new Map<string, Job>();

  constructor(private readonly capacity = 10_000) {}

  get(id: string): Job | undefined {
    return this.#jobs.get(id);
  }

  put(job: Job): void {
    this.#jobs.delete(job.id);
    this.#jobs.set(job.id, job);
    if (this.#jobs.size > this.capacity) {
      const oldest = this.#jobs.keys().next();
      if (oldest.done !== true) this.#jobs.delete(oldest.value);
    }
  }
}
