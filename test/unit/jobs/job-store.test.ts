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
  it('drops the oldest beyond the job count', () => {
    const store = new MemoryJobStore(2);
    store.put(job('1'));
    store.put(job('2'));
    store.put(job('1'));
    store.put(job('3'));
    expect(store.get('2')).toBeUndefined();
    expect(store.get('1')).toBeDefined();
    expect(store.get('3')).toBeDefined();
  });

  it('drops the oldest beyond the byte budget, but keeps the newest', () => {
    const store = new MemoryJobStore(100, 50_000);
    store.put(job('1', 10_000));
    store.put(job('2', 10_000));
    expect(store.get('1')).toBeDefined();
    store.put(job('3', 10_000));
    expect(store.get('1')).toBeUndefined();
    store.put(job('huge', 1_000_000));
    expect(store.get('huge')).toBeDefined();
    expect(store.get('3')).toBeUndefined();
  });
});
