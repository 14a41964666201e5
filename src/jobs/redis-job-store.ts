import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@redis/client';
import { AppError } from '../errors.js';
import type { Job } from '../opencast/model.js';
import { decodeJobRecord, encodeWithinLimit } from './job-record.js';
import type { JobStore } from './job-store.js';

/** Settings of a {@link RedisJobStore}. */
export interface RedisJobStoreOptions {
  /** `redis://` or `rediss://` URL, credentials included. Never logged as is. */
  readonly url: string;
  /** Prefix of every key, e.g. `ocs3:`; a job's record is `<prefix>job:<id>`. */
  readonly keyPrefix: string;
  /** How long a record is kept after its last write (Redis `EX`). */
  readonly ttlSeconds: number;
  /** Largest record of one job, in bytes. */
  readonly maxJobBytes: number;
  /** How long one command may take before it fails with JOB_STORE_UNAVAILABLE. Default 5 s. */
  readonly commandTimeoutMs?: number;
  /** Told when the connection fails or comes back; never with the URL's credentials. */
  readonly onConnectionChange?: (up: boolean, error?: Error) => void;
}

// Writes ARGV[1] with EX ARGV[3] only when the stored record still has version ARGV[2]:
// the compare and the write are one step, so two writers (an API process and a worker)
// never lose each other's update. 1: written; 0: the version moved on; -1: no record.
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if cjson.decode(current)['version'] ~= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1
`;

// Writers of one job are few (its API process and its worker); a conflict is rare, and a
// short random pause lets the other writer finish.
const MAX_UPDATE_ATTEMPTS = 25;

/**
 * Jobs in Redis, shared by every API process and worker that names the same REDIS_URL and
 * key prefix, and kept across restarts as far as Redis keeps its data. While Redis cannot
 * be reached, every call fails at once with JOB_STORE_UNAVAILABLE (no offline queue) and
 * the client reconnects by itself.
 */
export class RedisJobStore implements JobStore {
  readonly #client;
  readonly #options: RedisJobStoreOptions;
  readonly #timeoutMs: number;
  #state: 'new' | 'up' | 'down' = 'new';
  #closed = false;

  constructor(options: RedisJobStoreOptions) {
    this.#options = options;
    this.#timeoutMs = options.commandTimeoutMs ?? 5000;
    this.#client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: this.#timeoutMs,
        reconnectStrategy: (retries) => Math.min(100 * 2 ** Math.min(retries, 6), 5000),
      },
    });
    // Without a listener an error event would end the process.
    this.#client.on('error', (error: Error) => {
      this.#changed(false, error);
    });
    this.#client.on('ready', () => {
      this.#changed(true);
    });
  }

  /** Starts connecting; resolves at once. Calls fail with JOB_STORE_UNAVAILABLE until ready. */
  start(): void {
    // connect() resolves when ready and rejects only when closed: retries are the client's.
    this.#client.connect().catch(() => undefined);
  }

  async get(id: string): Promise<Job | undefined> {
    const text = await this.#run('read', () => this.#client.get(this.#key(id)));
    return text === null ? undefined : decodeJobRecord(text);
  }

  async put(job: Job): Promise<void> {
    const text = encodeWithinLimit(job, this.#options.maxJobBytes);
    await this.#run('write', () =>
      this.#client.set(this.#key(job.id), text, {
        expiration: { type: 'EX', value: this.#options.ttlSeconds },
      }),
    );
  }

  async update(id: string, change: (current: Job) => Job): Promise<Job | undefined> {
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt += 1) {
      const current = await this.get(id);
      if (current === undefined) return undefined;
      const next = change(current);
      if (next === current) return current;
      const written: Job = { ...next, version: current.version + 1 };
      const text = encodeWithinLimit(written, this.#options.maxJobBytes);
      const result = await this.#run('write', () =>
        this.#client.eval(COMPARE_AND_SET, {
          keys: [this.#key(id)],
          arguments: [text, String(current.version), String(this.#options.ttlSeconds)],
        }),
      );
      if (result === 1) return written;
      if (result === -1) return undefined;
      await sleep(Math.random() * 5 * (attempt + 1));
    }
    throw new AppError(
      'JOB_STORE_UNAVAILABLE',
      `Job ${id} kept changing while it was updated (${MAX_UPDATE_ATTEMPTS} attempts)`,
    );
  }

  async check(): Promise<void> {
    await this.#run('ping', () => this.#client.ping());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#client.isReady) {
      this.#client.destroy();
      return;
    }
    try {
      await this.#client.close();
    } catch {
      this.#client.destroy();
    }
  }

  #key(id: string): string {
    return `${this.#options.keyPrefix}job:${id}`;
  }

  async #run<T>(what: string, command: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new AppError('JOB_STORE_UNAVAILABLE', 'The job store is closed');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new AppError(
            'JOB_STORE_UNAVAILABLE',
            `The job store (Redis) did not answer a ${what} within ${this.#timeoutMs} ms`,
          ),
        );
      }, this.#timeoutMs);
    });
    try {
      return await Promise.race([command(), timeout]);
    } catch (cause) {
      if (cause instanceof AppError) throw cause;
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new AppError(
        'JOB_STORE_UNAVAILABLE',
        `The job store (Redis) failed a ${what}: ${reason}`,
        { cause },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  #changed(up: boolean, error?: Error): void {
    // Reconnect attempts repeat the same error; tell only the changes.
    const state = up ? 'up' : 'down';
    if (state === this.#state) return;
    this.#state = state;
    this.#options.onConnectionChange?.(up, error);
  }
}
