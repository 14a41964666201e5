import { describe, expect, it } from 'vitest';
import { createJobIdGenerator, MAX_JOB_ID } from '../../../src/distribution/job-id.js';

describe('standalone job ids', () => {
  it('are decimal integers from 1 to 2^53 - 1, exact as JavaScript numbers', () => {
    const next = createJobIdGenerator();
    for (let i = 0; i < 5_000; i++) {
      const id = next();
      expect(id).toMatch(/^[1-9]\d*$/);
      const value = Number(id);
      expect(Number.isSafeInteger(value)).toBe(true);
      expect(value).toBeLessThanOrEqual(MAX_JOB_ID);
      // Round trip through a number (what a JSON client does) keeps the id.
      expect(String(JSON.parse(id))).toBe(id);
    }
  });

  it('use the whole range, so ids of different processes rarely meet', () => {
    // Two generators stand for two processes started in the same millisecond.
    const a = createJobIdGenerator();
    const b = createJobIdGenerator();
    const seen = new Set<string>();
    let highBits = 0;
    for (let i = 0; i < 50_000; i++) {
      for (const id of [a(), b()]) {
        seen.add(id);
        if (Number(id) >= 2 ** 52) highBits++;
      }
    }
    expect(seen.size).toBe(100_000);
    // About half the ids have the top bit set; a 52-bit (or smaller) source would give none.
    expect(highBits).toBeGreaterThan(40_000);
    expect(highBits).toBeLessThan(60_000);
  });

  it('never hands out 0 and refuses a broken random source', () => {
    const values = [0, 0, 7];
    expect(createJobIdGenerator(() => values.shift() ?? 1)()).toBe('7');
    expect(() => createJobIdGenerator(() => 2 ** 53)()).toThrow(RangeError);
    expect(() => createJobIdGenerator(() => 1.5)()).toThrow(RangeError);
  });
});
