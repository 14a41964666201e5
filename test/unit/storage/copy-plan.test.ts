import { describe, expect, it } from 'vitest';
import { planCopyParts } from '../../../src/storage/copy-plan.js';
import { MAX_OBJECT_SIZE, MAX_PARTS } from '../../../src/storage/upload-plan.js';

const MiB = 1024 * 1024;

function covered(ranges: { range: string }[]): [number, number][] {
  return ranges.map(({ range }) => {
    const match = /^bytes=(\d+)-(\d+)$/.exec(range);
    if (match === null) throw new Error(`bad range ${range}`);
    return [Number(match[1]), Number(match[2])];
  });
}

describe('planCopyParts', () => {
  it('covers every byte once, in order, with inclusive ranges', () => {
    const parts = planCopyParts(12 * MiB + 3, 5 * MiB);
    expect(parts.map((part) => part.partNumber)).toEqual([1, 2, 3]);
    expect(covered(parts)).toEqual([
      [0, 5 * MiB - 1],
      [5 * MiB, 10 * MiB - 1],
      [10 * MiB, 12 * MiB + 2],
    ]);
  });

  it('gives one part for a source that fits', () => {
    expect(planCopyParts(1, 5 * MiB)).toEqual([{ partNumber: 1, range: 'bytes=0-0' }]);
  });

  it('stays within 10,000 parts for the largest object', () => {
    const parts = planCopyParts(MAX_OBJECT_SIZE, 5 * MiB);
    expect(parts.length).toBeLessThanOrEqual(MAX_PARTS);
    expect(covered(parts).at(-1)?.[1]).toBe(MAX_OBJECT_SIZE - 1);
  });

  it('refuses empty, oversized and malformed input', () => {
    expect(() => planCopyParts(0, 5 * MiB)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => planCopyParts(-5, 5 * MiB)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => planCopyParts(MAX_OBJECT_SIZE + 1, 5 * MiB)).toThrow(
      expect.objectContaining({ code: 'STORAGE_REJECTED' }),
    );
    expect(() => planCopyParts(10 * MiB, 1024)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
