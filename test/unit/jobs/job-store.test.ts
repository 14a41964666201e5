import { describe, expect, it } from 'vitest';
import { MemoryJobStore } from '../../../src/jobs/job-store.js';
import type { Job } from '../../../src/opencast/model.js';

const job = (id: string, argChars = 0): Job => ({
  id,
  version: 1,
  type: 't',
  status: 'QUEUED',
  dispatchable: true,
  args: ['x'.repeat(argChars)],
});

describe('MemoryJobStore', () => {
  it('drops the oldest beyond the job count', async () => {
    const store = new MemoryJobStore({ maxJobs: 2 });
    await store.put(job('1'));
    await store.put(job('2'));
    await store.put(job('1'));
    await store.put(job('3'));
    expect(await store.get('2')).toBeUndefined();
    expect(await store.get('1')).toBeDefined();
    expect(await store.get('3')).toBeDefined();
  });

  it('drops the oldest beyond the byte budget, but keeps the newest', async () => {
    const store = new MemoryJobStore({ maxJobs: 100, maxBytes: 50_000 });
    await store.put(job('1', 20_000));
    await store.put(job('2', 20_000));
    expect(await store.get('1')).toBeDefined();
    await store.put(job('3', 20_000));
    expect(await store.get('1')).toBeUndefined();
    await store.put(job('huge', 1_000_000));
    expect(await store.get('huge')).toBeDefined();
    expect(await store.get('3')).toBeUndefined();
  });

  it('forgets a record older than its time to live', async () => {
    let now = 1_000_000;
    const store = new MemoryJobStore({ ttlSeconds: 60, now: () => now });
    await store.put(job('1'));
    now += 59_000;
    expect(await store.get('1')).toBeDefined();
    now += 2_000;
    expect(await store.get('1')).toBeUndefined();
  });

  it('refuses a record over the per-job limit and keeps the one before', async () => {
    const store = new MemoryJobStore({ maxJobBytes: 4096 });
    await store.put(job('1'));
    await expect(store.put({ ...job('1', 5000), version: 2 })).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
    expect((await store.get('1'))?.version).toBe(1);
  });

  it('updates with the next version and writes nothing for an unchanged job', async () => {
    const store = new MemoryJobStore();
    await store.put(job('1'));
    const same = await store.update('1', (current) => current);
    expect(same?.version).toBe(1);
    const next = await store.update('1', (current) => ({ ...current, status: 'RUNNING' }));
    expect(next).toMatchObject({ version: 2, status: 'RUNNING' });
    expect(await store.update('absent', (current) => current)).toBeUndefined();
  });
});
