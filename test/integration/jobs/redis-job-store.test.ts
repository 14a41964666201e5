/**
 * The Redis job store against a real Redis: records survive a new client, expire after
 * their time to live, keep every concurrent update, refuse oversize records, and fail
 * with JOB_STORE_UNAVAILABLE (never a hang or a crash) while Redis cannot be reached.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisJobStore } from '../../../src/jobs/redis-job-store.js';
import type { Job } from '../../../src/opencast/model.js';
import { startFaultProxy, waitFor, type FaultProxy } from '../../helpers/rabbit.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

const opened: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});

async function testRedis(): Promise<TestRedis> {
  const redis = await startTestRedis();
  opened.push(redis);
  return redis;
}

async function storeOn(
  url: string,
  keyPrefix: string,
  options: { ttlSeconds?: number; maxJobBytes?: number; commandTimeoutMs?: number } = {},
): Promise<RedisJobStore> {
  const store = new RedisJobStore({
    url,
    keyPrefix,
    ttlSeconds: options.ttlSeconds ?? 600,
    maxJobBytes: options.maxJobBytes ?? 1024 * 1024,
    commandTimeoutMs: options.commandTimeoutMs,
  });
  store.start();
  opened.push(store);
  await waitFor(
    () =>
      store.check().then(
        () => true,
        () => false,
      ),
    10_000,
    'Redis',
  );
  return store;
}

const job = (id: string, extra: Partial<Job> = {}): Job => ({
  id,
  version: 1,
  type: 'org.opencastproject.distribution.aws.s3',
  status: 'QUEUED',
  dispatchable: true,
  dateCreated: new Date('2024-10-01T09:10:00.120Z'),
  args: ['channel', '<mediapackage/>', '["e1"]'],
  ...extra,
});

describe('RedisJobStore', () => {
  it('keeps a record for another client, dates and all, with its time to live', async () => {
    const redis = await testRedis();
    const first = await storeOn(redis.url, redis.keyPrefix, { ttlSeconds: 120 });
    await first.put(job('1'));
    await first.close();

    const second = await storeOn(redis.url, redis.keyPrefix);
    expect(await second.get('1')).toEqual(job('1'));
    const ttl = (await redis.keys()).get(`${redis.keyPrefix}job:1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(120);
  }, 30_000);

  it('forgets a record once its time to live has passed', async () => {
    const redis = await testRedis();
    const store = await storeOn(redis.url, redis.keyPrefix, { ttlSeconds: 1 });
    await store.put(job('1'));
    expect(await store.get('1')).toBeDefined();
    await waitFor(async () => (await store.get('1')) === undefined, 10_000, 'the expiry');
  }, 30_000);

  it('loses no update when two writers change one job at once', async () => {
    const redis = await testRedis();
    const a = await storeOn(redis.url, redis.keyPrefix);
    const b = await storeOn(redis.url, redis.keyPrefix);
    await a.put(job('1', { args: [] }));
    const append = (store: RedisJobStore, tag: string) =>
      store.update('1', (current) => ({ ...current, args: [...(current.args ?? []), tag] }));
    await Promise.all(Array.from({ length: 20 }, (_, i) => append(i % 2 === 0 ? a : b, String(i))));
    const final = await a.get('1');
    expect(final?.args).toHaveLength(20);
    expect(final?.version).toBe(21);
    expect(await a.update('absent', (current) => current)).toBeUndefined();
  }, 30_000);

  it('refuses a record over the per-job limit and keeps the one before', async () => {
    const redis = await testRedis();
    const store = await storeOn(redis.url, redis.keyPrefix, { maxJobBytes: 4096 });
    await store.put(job('1'));
    await expect(
      store.update('1', (current) => ({ ...current, payload: 'x'.repeat(5000) })),
    ).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect((await store.get('1'))?.version).toBe(1);
  }, 30_000);

  it('fails fast with JOB_STORE_UNAVAILABLE while Redis is away, and recovers', async () => {
    const redis = await testRedis();
    const proxy: FaultProxy = await startFaultProxy(redis.url);
    opened.push(proxy);
    const store = await storeOn(proxy.url, redis.keyPrefix, { commandTimeoutMs: 2000 });
    await store.put(job('1'));

    proxy.setAccepting(false);
    proxy.dropConnections();
    await sleep(50);
    await expect(store.get('1')).rejects.toMatchObject({ code: 'JOB_STORE_UNAVAILABLE' });
    await expect(store.put(job('2'))).rejects.toMatchObject({ code: 'JOB_STORE_UNAVAILABLE' });
    await expect(store.check()).rejects.toMatchObject({ code: 'JOB_STORE_UNAVAILABLE' });

    proxy.setAccepting(true);
    await waitFor(
      () =>
        store.check().then(
          () => true,
          () => false,
        ),
      20_000,
      'the reconnect',
    );
    expect((await store.get('1'))?.status).toBe('QUEUED');
  }, 60_000);
});
