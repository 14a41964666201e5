import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { waitAtMost, withTimeout } from '../../../src/messaging/with-timeout.js';

const never = new Promise<never>(() => undefined);

/** Tracks whether a promise has settled, without letting its rejection go unhandled. */
function settlement(promise: Promise<unknown>): {
  settled: () => boolean;
  result: Promise<unknown>;
} {
  let settled = false;
  const result = promise.then(
    (value) => {
      settled = true;
      return value;
    },
    (error: unknown) => {
      settled = true;
      return error;
    },
  );
  return { settled: () => settled, result };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('withTimeout', () => {
  it('passes a value through and clears its timer', async () => {
    await expect(withTimeout(Promise.resolve(1), 1_000, () => new Error('late'))).resolves.toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes a rejection through and clears its timer', async () => {
    await expect(
      withTimeout(Promise.reject(new Error('own')), 1_000, () => new Error('late')),
    ).rejects.toThrow('own');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with the timeout error when the time is up, not before', async () => {
    const pending = settlement(withTimeout(never, 20, () => new Error('late')));
    await vi.advanceTimersByTimeAsync(19);
    expect(pending.settled()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(pending.settled()).toBe(true);
    expect(await pending.result).toEqual(new Error('late'));
  });
});

describe('waitAtMost', () => {
  it('returns when the promise settles, also by rejecting, without waiting for the limit', async () => {
    // The clock never moves here: waiting for the 5 s timer would hang the test.
    await waitAtMost(Promise.reject(new Error('x')), 5_000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives up after the time limit, not before', async () => {
    const pending = settlement(waitAtMost(never, 30));
    await vi.advanceTimersByTimeAsync(29);
    expect(pending.settled()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(pending.settled()).toBe(true);
  });
});
