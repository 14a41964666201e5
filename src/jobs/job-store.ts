import type { Job } from '../opencast/model.js';
import { encodeWithinLimit } from './job-record.js';

/**
 * Where the API keeps the jobs it created: this process's memory, or a shared store that
 * every API process and worker reaches (Redis, when REDIS_URL is set). A store that cannot
 * be reached rejects with JOB_STORE_UNAVAILABLE (503); a record larger than the per-job
 * limit with PAYLOAD_TOO_LARGE (413).
 */
export interface JobStore {
  get(id: string): Promise<Job | undefined>;
  /** Writes a job's record, replacing any record of that id. */
  put(job: Job): Promise<void>;
  /**
   * Replaces a job's record with `change(current)` as one step: no other writer's update
   * is lost in between. A change that returns `current` itself writes nothing; any other
   * result is written with the next version. Undefined when no record exists.
   */
  update(id: string, change: (current: Job) => Job): Promise<Job | undefined>;
  /** Checks that the store answers (readiness). */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** Limits of the {@link MemoryJobStore}. */
export interface MemoryJobStoreOptions {
  /** Jobs kept at most; the oldest go first. Default 10,000. */
  readonly maxJobs?: number;
  /** Bytes kept at most, over all records; the oldest go first. Default 256 MiB. */
  readonly maxBytes?: number;
  /** Largest record of one job. Default 32 MiB. */
  readonly maxJobBytes?: number;
  /** How long a record is kept after its last write. Default 7 days. */
  readonly ttlSeconds?: number;
  readonly now?: () => number;
}

/** Defaults shared by both stores and the configuration. */
export const JOB_STORE_DEFAULTS = { maxJobBytes: 32 * 1024 * 1024, ttlSeconds: 7 * 24 * 3600 };

/**
 * Jobs in this process's memory: the embedded default, enough for one API process. The
 * oldest are dropped once there are more than `maxJobs` or their records add up to more
 * than `maxBytes` (a Map iterates in insertion order and every write re-inserts); a record
 * older than `ttlSeconds` is gone. Several API processes, or status that survives a
 * restart, need the Redis store (README, "Limits").
 */
export class MemoryJobStore implements JobStore {
  readonly #jobs = new Map<string, { job: Job; bytes: number; expiresAt: number }>();
  readonly #maxJobs: number;
  readonly #maxBytes: number;
  readonly #maxJobBytes: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #bytes = 0;

  constructor(options: MemoryJobStoreOptions = {}) {
    this.#maxJobs = options.maxJobs ?? 10_000;
    this.#maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.#maxJobBytes = options.maxJobBytes ?? JOB_STORE_DEFAULTS.maxJobBytes;
    this.#ttlMs = (options.ttlSeconds ?? JOB_STORE_DEFAULTS.ttlSeconds) * 1000;
    this.#now = options.now ?? Date.now;
  }

  get(id: string): Promise<Job | undefined> {
    return Promise.resolve(this.#current(id));
  }

  put(job: Job): Promise<void> {
    // A throw inside the executor rejects the promise.
    return new Promise((resolve) => {
      this.#write(job);
      resolve();
    });
  }

  update(id: string, change: (current: Job) => Job): Promise<Job | undefined> {
    // Read, change and write without a pause in between: one step, as the interface asks.
    return new Promise((resolve) => {
      const current = this.#current(id);
      if (current === undefined) {
        resolve(undefined);
        return;
      }
      const next = change(current);
      if (next === current) {
        resolve(current);
        return;
      }
      const written = { ...next, version: current.version + 1 };
      this.#write(written);
      resolve(written);
    });
  }

  check(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #current(id: string): Job | undefined {
    const entry = this.#jobs.get(id);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#remove(id);
      return undefined;
    }
    return entry.job;
  }

  #write(job: Job): void {
    // Measured as the shared store measures it, so both refuse the same records.
    const bytes = Buffer.byteLength(encodeWithinLimit(job, this.#maxJobBytes));
    this.#remove(job.id);
    this.#jobs.set(job.id, { job, bytes, expiresAt: this.#now() + this.#ttlMs });
    this.#bytes += bytes;
    while (
      this.#jobs.size > 1 &&
      (this.#jobs.size > this.#maxJobs || this.#bytes > this.#maxBytes)
    ) {
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
