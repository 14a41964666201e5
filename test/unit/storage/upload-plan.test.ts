import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import {
  DEFAULT_PART_SIZE,
  MAX_OBJECT_SIZE,
  MAX_PARTS,
  MAX_PART_SIZE,
  MIN_PART_SIZE,
  assertUploadOptions,
  REQUEST_OVERHEAD_BYTES,
  planUpload,
  uploadMemory,
} from '../../../src/storage/upload-plan.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('planUpload', () => {
  it('keeps the configured part size for an unknown length and caps it at 10,000 parts', () => {
    expect(planUpload(undefined, 8 * MiB, 4)).toEqual({
      partSize: 8 * MiB,
      queueSize: 4,
      maxBytes: 8 * MiB * MAX_PARTS,
    });
  });

  it('keeps the configured part size when 10,000 parts suffice', () => {
    expect(planUpload(0, 8 * MiB, 4)).toEqual({ partSize: 8 * MiB, queueSize: 4, maxBytes: 0 });
    expect(planUpload(8 * MiB * MAX_PARTS, 8 * MiB, 4).partSize).toBe(8 * MiB);
  });

  it('grows the part size in whole MiB so that parts stay within 10,000', () => {
    const length = 8 * MiB * MAX_PARTS + 1;
    const plan = planUpload(length, 8 * MiB, 4);
    expect(plan.partSize).toBe(9 * MiB);
    expect(Math.ceil(length / plan.partSize)).toBeLessThanOrEqual(MAX_PARTS);
  });

  it('shrinks the queue to keep memory near partSize x queueSize', () => {
    const plan = planUpload(1024 * GiB, 8 * MiB, 4);
    expect(plan.partSize).toBe(105 * MiB);
    expect(plan.queueSize).toBe(1);
    const roomy = planUpload(200 * GiB, 8 * MiB, 16);
    expect(roomy.partSize).toBe(21 * MiB);
    expect(roomy.queueSize).toBe(6);
  });

  it('handles the largest object S3 allows', () => {
    const plan = planUpload(MAX_OBJECT_SIZE, DEFAULT_PART_SIZE, 4);
    expect(plan.partSize).toBeLessThanOrEqual(MAX_PART_SIZE);
    expect(Math.ceil(MAX_OBJECT_SIZE / plan.partSize)).toBeLessThanOrEqual(MAX_PARTS);
  });

  it('rejects lengths S3 cannot store', () => {
    expect(() => planUpload(MAX_OBJECT_SIZE + 1, 8 * MiB, 4)).toThrow(
      expect.objectContaining({ code: 'STORAGE_REJECTED' }),
    );
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60])(
    'rejects the malformed length %s',
    (length) => {
      expect(() => planUpload(length, 8 * MiB, 4)).toThrow(AppError);
      expect(() => planUpload(length, 8 * MiB, 4)).toThrow(
        /contentLength must be a non-negative integer/,
      );
    },
  );
});

describe('assertUploadOptions', () => {
  it('accepts the limits', () => {
    expect(() => {
      assertUploadOptions(MIN_PART_SIZE, 1);
    }).not.toThrow();
    expect(() => {
      assertUploadOptions(MAX_PART_SIZE, 64);
    }).not.toThrow();
  });

  it.each([
    [MIN_PART_SIZE - 1, 4],
    [MAX_PART_SIZE + 1, 4],
    [8 * MiB + 0.5, 4],
    [8 * MiB, 0],
    [8 * MiB, 65],
    [8 * MiB, 1.5],
  ])('refuses partSize %s with queueSize %s', (partSize, queueSize) => {
    expect(() => {
      assertUploadOptions(partSize, queueSize);
    }).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('uploadMemory', () => {
  it('counts a small body about twice, plus the request', () => {
    expect(uploadMemory(10 * 1024, 8 * MiB, 4)).toBe(20 * 1024 + REQUEST_OVERHEAD_BYTES);
    expect(uploadMemory(0, 8 * MiB, 4)).toBe(REQUEST_OVERHEAD_BYTES);
  });

  it('counts a multipart upload by its parts in flight, also for an unknown length', () => {
    const large = 2 * 8 * MiB * 5 + REQUEST_OVERHEAD_BYTES;
    expect(uploadMemory(8 * MiB, 8 * MiB, 4)).toBe(large);
    expect(uploadMemory(1024 * MiB, 8 * MiB, 4)).toBe(large);
    expect(uploadMemory(undefined, 8 * MiB, 4)).toBe(large);
  });

  it('follows the plan of a huge object: bigger parts, fewer in flight', () => {
    const plan = planUpload(MAX_OBJECT_SIZE, 8 * MiB, 4);
    expect(uploadMemory(MAX_OBJECT_SIZE, 8 * MiB, 4)).toBe(
      2 * plan.partSize * (plan.queueSize + 1) + REQUEST_OVERHEAD_BYTES,
    );
  });

  it('takes a length it cannot plan for as unknown', () => {
    const unknown = uploadMemory(undefined, 8 * MiB, 4);
    for (const bad of [-1, 1.5, MAX_OBJECT_SIZE + 1]) {
      expect(uploadMemory(bad, 8 * MiB, 4)).toBe(unknown);
    }
  });
});
