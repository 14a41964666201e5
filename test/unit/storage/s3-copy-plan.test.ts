import { describe, expect, it } from 'vitest';
import { planCopyParts } from '../../../src/storage/s3-copy.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('planCopyParts', () => {
  it('covers every byte once, in order', () => {
    const parts = planCopyParts(12 * MiB + 1, 5 * MiB);
    expect(parts).toEqual([
      [0, 5 * MiB - 1],
      [5 * MiB, 10 * MiB - 1],
      [10 * MiB, 12 * MiB],
    ]);
  });

  it('uses 512 MiB parts for large objects and grows them to stay within 10,000 parts', () => {
    expect(planCopyParts(6 * GiB, 5 * GiB)).toHaveLength(12);
    const huge = planCopyParts(5 * 1024 * GiB, 5 * GiB);
    expect(huge.length).toBeLessThanOrEqual(10_000);
    expect(huge.at(-1)?.[1]).toBe(5 * 1024 * GiB - 1);
  });

  it('refuses sizes S3 cannot hold', () => {
    expect(() => planCopyParts(0, 5 * MiB)).toThrow();
    expect(() => planCopyParts(5 * 1024 * GiB + 1, 5 * MiB)).toThrow();
  });
});
