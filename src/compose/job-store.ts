import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { MemoryJobStore, type JobStore } from '../jobs/job-store.js';
import type { Closers } from './closers.js';

/**
 * The shared job store when REDIS_URL is set (API and worker both use it), else undefined.
 * Never waits for Redis: while it is down, calls fail with JOB_STORE_UNAVAILABLE and the
 * readiness check says so. The Redis client is imported only then: it takes ~20 MiB of a
 * process that never uses it.
 */
export async function buildSharedJobStore(
  config: Config,
  logger: Logger,
  closers: Closers,
): Promise<JobStore | undefined> {
  const { redisUrl, keyPrefix, ttlSeconds, maxJobBytes } = config.jobStore;
  if (redisUrl === undefined) return undefined;
  const { RedisJobStore } = await import('../jobs/redis-job-store.js');
  const endpoint = redactRedisUrl(redisUrl);
  const store = new RedisJobStore({
    url: redisUrl,
    keyPrefix,
    ttlSeconds,
    maxJobBytes,
    onConnectionChange: (up, err) => {
      if (up) logger.info({ endpoint }, 'job store (Redis) connected');
      else logger.warn({ endpoint, err: err?.message }, 'job store (Redis) unavailable');
    },
  });
  store.start();
  closers.push(() => store.close());
  return store;
}

/** The API's job store: the shared one, else this process's memory. */
export function apiJobStore(config: Config, shared: JobStore | undefined): JobStore {
  return (
    shared ??
    new MemoryJobStore({
      ttlSeconds: config.jobStore.ttlSeconds,
      maxJobBytes: config.jobStore.maxJobBytes,
    })
  );
}

function redactRedisUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}
