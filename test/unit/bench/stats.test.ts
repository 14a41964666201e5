import { describe, expect, it } from 'vitest';
import {
  median,
  percentile,
  roundDifferences,
  roundRatios,
  spread,
  turnOrder,
} from '../../../scripts/bench/stats.js';

describe('bench statistics', () => {
  it('takes the median of odd and even counts, NaN for none', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('does not reorder the values it is given', () => {
    const values = [3, 1, 2];
    median(values);
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });

  it('takes nearest-rank percentiles and refuses a percentile outside 0..100', () => {
    const values = [50, 10, 40, 20, 30];
    expect(percentile(values, 50)).toBe(30);
    expect(percentile(values, 0)).toBe(10);
    expect(percentile(values, 100)).toBe(50);
    expect(percentile(values, 95)).toBe(50);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile(values, 101)).toThrow(RangeError);
    expect(() => percentile(values, NaN)).toThrow(RangeError);
  });

  it('spreads values into median, min and max', () => {
    expect(spread([1.2, 0.8, 1.0])).toEqual({ median: 1.0, min: 0.8, max: 1.2 });
    const none = spread([]);
    expect([none.median, none.min, none.max].every(Number.isNaN)).toBe(true);
  });

  it('pairs ratios by round and leaves out rounds with a missing or zero figure', () => {
    expect(roundRatios([10, 20, 30], [5, 40, 30])).toEqual([2, 0.5, 1]);
    expect(roundRatios([10, NaN, 30, 8], [5, 4, 0, Infinity])).toEqual([2]);
    // Only the rounds both sides have.
    expect(roundRatios([1, 2, 3], [1])).toEqual([1]);
  });

  it('takes per-round differences for latency targets', () => {
    expect(roundDifferences([12, 15], [10, 16])).toEqual([2, -1]);
    expect(roundDifferences([12, NaN], [10, 16])).toEqual([2]);
  });

  it('rotates the turn order each round so every contender goes first equally often', () => {
    const contenders = ['service', 'lib-storage', 'aws-cli'];
    expect(turnOrder(contenders, 0)).toEqual(['service', 'lib-storage', 'aws-cli']);
    expect(turnOrder(contenders, 1)).toEqual(['lib-storage', 'aws-cli', 'service']);
    expect(turnOrder(contenders, 2)).toEqual(['aws-cli', 'service', 'lib-storage']);
    expect(turnOrder(contenders, 3)).toEqual(turnOrder(contenders, 0));
    const firsts = [0, 1, 2, 3, 4, 5].map((round) => turnOrder(contenders, round)[0]);
    for (const who of contenders) expect(firsts.filter((f) => f === who)).toHaveLength(2);
    expect(turnOrder([], 4)).toEqual([]);
    expect(contenders).toEqual(['service', 'lib-storage', 'aws-cli']);
  });
});
