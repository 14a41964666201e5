import { describe, expect, it } from 'vitest';
import { mapConcurrently } from '../../../src/storage/map-concurrently.js';

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapConcurrently', () => {
  it('keeps the order of the items and never exceeds the limit', async () => {
    let running = 0;
    let most = 0;
    const results = await mapConcurrently(
      [30, 5, 20, 1, 10, 2],
      2,
      async (ms) => {
        running += 1;
        most = Math.max(most, running);
        await tick(ms);
        running -= 1;
        return ms * 10;
      },
      new AbortController(),
    );
    expect(results).toEqual([300, 50, 200, 10, 100, 20]);
    expect(most).toBe(2);
  });

  it('throws the first failure, aborts the others and starts no new task', async () => {
    const stop = new AbortController();
    const started: number[] = [];
    const first = new Error('part 2 failed');
    const outcome = mapConcurrently(
      [1, 2, 3, 4, 5],
      2,
      async (item) => {
        started.push(item);
        if (item === 2) throw first;
        // A cancellable task: fails with the abort once the first failure happened.
        await new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, 50);
          stop.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(new Error('aborted'));
          });
        });
        return item;
      },
      stop,
    );
    await expect(outcome).rejects.toBe(first);
    expect(stop.signal.aborted).toBe(true);
    expect(started).toEqual([1, 2]);
  });

  it('handles no items', async () => {
    await expect(
      mapConcurrently([], 4, () => Promise.resolve(1), new AbortController()),
    ).resolves.toEqual([]);
  });
});
