import { describe, expect, it } from 'vitest';
import { waitAtMost, withTimeout } from '../../../src/messaging/with-timeout.js';

const never = new Promise<never>(() => undefined);

describe('withTimeout', () => {
  it('passes a value through', async () => {
    await expect(withTimeout(Promise.resolve(1), 1_000, () => new Error('late'))).resolves.toBe(1);
  });

  it('passes a rejection through', async () => {
    await expect(
      withTimeout(Promise.reject(new Error('own')), 1_000, () => new Error('late')),
    ).rejects.toThrow('own');
  });

  it('rejects with the timeout error', async () => {
    await expect(withTimeout(never, 20, () => new Error('late'))).rejects.toThrow('late');
  });
});

describe('waitAtMost', () => {
  it('returns early when the promise settles, also by rejecting', async () => {
    const started = Date.now();
    await waitAtMost(Promise.reject(new Error('x')), 5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('gives up after the time limit', async () => {
    const started = Date.now();
    await waitAtMost(never, 30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});
