/**
 * S3's multipart limits and the choice of part size and concurrency for one upload.
 * Pure: no I/O, unit-tested.
 */
import { AppError } from '../errors.js';

const MiB = 1024 * 1024;

/** Smallest part S3 accepts (except the last part). */
export const MIN_PART_SIZE = 5 * MiB;
/** Largest part S3 accepts. */
export const MAX_PART_SIZE = 5 * 1024 * MiB;
/** Most parts one multipart upload may have. */
export const MAX_PARTS = 10_000;
/** Largest object S3 stores. */
/** Largest object one CopyObject may copy (S3's limit); larger ones are copied in parts. */
export const MAX_SINGLE_COPY_BYTES = 5 * 1024 * MiB;
export const MAX_OBJECT_SIZE = 5 * 1024 * 1024 * MiB;
/** Default part size: large enough for few requests, small enough for bounded memory. */
export const DEFAULT_PART_SIZE = 8 * MiB;
/** Default number of parts in flight. */
export const DEFAULT_QUEUE_SIZE = 4;
/** Most parts in flight per upload (S3_UPLOAD_QUEUE_SIZE checks against it). */
export const MAX_QUEUE_SIZE = 64;

/** How one upload is cut into parts. */
export interface UploadPlan {
  /** Bytes per part (the last part may be smaller). */
  readonly partSize: number;
  /** Parts uploaded in parallel. */
  readonly queueSize: number;
  /** Most bytes this plan can store: the known length, or partSize x MAX_PARTS. */
  readonly maxBytes: number;
}

/** Validates the store's configured part size and queue size; throws INVALID_INPUT. */
export function assertUploadOptions(partSize: number, queueSize: number): void {
  if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
    throw new AppError(
      'INVALID_INPUT',
      `partSizeBytes must be an integer between ${MIN_PART_SIZE} and ${MAX_PART_SIZE}, got ${partSize}`,
    );
  }
  if (!Number.isSafeInteger(queueSize) || queueSize < 1 || queueSize > MAX_QUEUE_SIZE) {
    throw new AppError(
      'INVALID_INPUT',
      `queueSize must be an integer from 1 to ${MAX_QUEUE_SIZE}, got ${queueSize}`,
    );
  }
}

/**
 * Chooses part size and concurrency. A known length larger than `partSize x 10,000` gets
 * bigger parts (whole MiB) so that it fits in 10,000 parts; the queue then shrinks so that
 * memory stays near the configured `partSize x queueSize` (never below one part in flight).
 * An unknown length keeps the configured part size and is capped at 10,000 parts.
 */
export function planUpload(
  contentLength: number | undefined,
  partSize: number,
  queueSize: number,
): UploadPlan {
  if (contentLength === undefined) {
    return { partSize, queueSize, maxBytes: partSize * MAX_PARTS };
  }
  if (!Number.isSafeInteger(contentLength) || contentLength < 0) {
    throw new AppError(
      'INVALID_INPUT',
      `contentLength must be a non-negative integer, got ${contentLength}`,
    );
  }
  if (contentLength > MAX_OBJECT_SIZE) {
    throw new AppError(
      'STORAGE_REJECTED',
      `An object of ${contentLength} bytes is larger than S3's limit of ${MAX_OBJECT_SIZE} bytes`,
    );
  }
  const needed = Math.ceil(contentLength / MAX_PARTS);
  if (needed <= partSize) return { partSize, queueSize, maxBytes: contentLength };
  const larger = Math.min(MAX_PART_SIZE, Math.ceil(needed / MiB) * MiB);
  const budget = partSize * queueSize;
  return {
    partSize: larger,
    queueSize: Math.max(1, Math.min(queueSize, Math.floor(budget / larger))),
    maxBytes: contentLength,
  };
}

/** What one request costs beside its body: sockets, buffers and SDK state. */
export const REQUEST_OVERHEAD_BYTES = 64 * 1024;

/**
 * About how much memory an upload of `contentLength` bytes (undefined: unknown) holds while
 * it runs, for a worker's memory budget. A body smaller than a part goes as one PutObject,
 * buffered and copied once; a multipart upload (s3-multipart.ts) holds queueSize + 1 part
 * buffers (the parts in flight and the one being filled, 40 MiB for 8 MiB x 4) plus the
 * source's chunks in its stream buffers. The reservation stays at 2 x partSize x
 * (queueSize + 1), what lib-storage needed (measured live about 2 x partSize x queueSize +
 * 1.5 x partSize, each part buffered twice), until the own uploader's memory is measured
 * under load: lowering it lets more uploads run at once.
 */
export function uploadMemory(
  contentLength: number | undefined,
  partSize: number,
  queueSize: number,
): number {
  if (contentLength !== undefined && Number.isSafeInteger(contentLength) && contentLength >= 0) {
    if (contentLength < partSize) return 2 * contentLength + REQUEST_OVERHEAD_BYTES;
    if (contentLength <= MAX_OBJECT_SIZE) {
      const plan = planUpload(contentLength, partSize, queueSize);
      return 2 * plan.partSize * (plan.queueSize + 1) + REQUEST_OVERHEAD_BYTES;
    }
  }
  return 2 * partSize * (queueSize + 1) + REQUEST_OVERHEAD_BYTES;
}
