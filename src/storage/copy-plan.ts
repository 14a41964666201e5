/**
 * How a server-side copy is done: one CopyObject up to 5 GiB, UploadPartCopy ranges above.
 * Pure: no I/O, unit-tested.
 */
import { AppError } from '../errors.js';
import { MAX_OBJECT_SIZE, MAX_PARTS, MAX_PART_SIZE, MIN_PART_SIZE } from './upload-plan.js';

/** Largest object one CopyObject request may copy. */
export const MAX_SINGLE_COPY_SIZE = MAX_PART_SIZE;
/** Default part size of a multipart copy: few requests, each well below S3's limits. */
export const DEFAULT_COPY_PART_SIZE = 512 * 1024 * 1024;

/** One UploadPartCopy request: an inclusive byte range of the source. */
export interface CopyPart {
  readonly partNumber: number;
  /** `bytes=first-last` for `x-amz-copy-source-range`. */
  readonly range: string;
}

/**
 * Cuts a source of `size` bytes into copy parts of `partSize` bytes (more if needed to stay
 * within 10,000 parts). Throws STORAGE_REJECTED for objects larger than S3 allows and
 * INVALID_INPUT for a part size outside S3's limits.
 */
export function planCopyParts(size: number, partSize: number): CopyPart[] {
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new AppError('INVALID_INPUT', `A multipart copy needs a positive size, got ${size}`);
  }
  if (size > MAX_OBJECT_SIZE) {
    throw new AppError('STORAGE_REJECTED', `An object of ${size} bytes is larger than S3 allows`);
  }
  if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
    throw new AppError(
      'INVALID_INPUT',
      `Copy part size must be between ${MIN_PART_SIZE} and ${MAX_PART_SIZE}`,
    );
  }
  const effective = Math.max(partSize, Math.ceil(size / MAX_PARTS));
  const parts: CopyPart[] = [];
  for (let first = 0, partNumber = 1; first < size; first += effective, partNumber += 1) {
    const last = Math.min(first + effective, size) - 1;
    parts.push({ partNumber, range: `bytes=${first}-${last}` });
  }
  return parts;
}
