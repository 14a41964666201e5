import { describe, expect, it } from 'vitest';
import { ByteBudget } from '../../../src/distribution/byte-budget.js';

/** Lets every settled promise run its callbacks. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ByteBudget', () => {
  it('grants at once what fits, and makes the rest wait for a release', async () => {
    const budget = new ByteBudget(100);
    const first = await budget.acquire(60);
    let second = false;
    const waiting = budget.acquire(50).then((release) => {
      second = true;
      return release;
    });
    await settle();
    expect(second).toBe(false);
    expect(budget.inUse).toBe(60);
    first();
    (await waiting)();
    expect(second).toBe(true);
    expect(budget.inUse).toBe(0);
  });

  it('serves in order: a small request waits behind a large one that does not fit', async () => {
    const budget = new ByteBudget(100);
    const held = await budget.acquire(30);
    const order: string[] = [];
    const large = budget.acquire(90).then((release) => {
      order.push('large');
      return release;
    });
    const small = budget.acquire(10).then((release) => {
      order.push('small');
      return release;
    });
    await settle();
    expect(order).toEqual([]);
    held();
    (await large)();
    (await small)();
    expect(order).toEqual(['large', 'small']);
  });

  it('cuts a request larger than the budget to the budget, so it runs alone', async () => {
    const budget = new ByteBudget(100);
    const release = await budget.acquire(10_000);
    expect(budget.inUse).toBe(100);
    release();
    release();
    expect(budget.inUse).toBe(0);
  });

  it('drops a waiter whose signal aborts, and lets the ones behind it through', async () => {
    const budget = new ByteBudget(100);
    const held = await budget.acquire(50);
    const controller = new AbortController();
    const aborted = budget.acquire(80, controller.signal);
    const behind = budget.acquire(40);
    controller.abort(new Error('stopped'));
    await expect(aborted).rejects.toThrow('stopped');
    const release = await behind;
    expect(budget.inUse).toBe(90);
    expect(budget.waiting).toBe(0);
    release();
    held();
  });

  it('refuses an already aborted signal without reserving', async () => {
    const budget = new ByteBudget(100);
    await expect(budget.acquire(1, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
    expect(budget.inUse).toBe(0);
  });

  it('rejects budgets that are not positive integers', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new ByteBudget(bad)).toThrow(RangeError);
    }
  });
});
