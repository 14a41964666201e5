/**
 * Streams one body into S3 with `@aws-sdk/lib-storage`: a single PutObject for bodies
 * smaller than a part, a multipart upload otherwise. Memory is bounded by the part size and
 * queue size: measured live (after GC) about 2 x partSize x queueSize + 1.5 x partSize,
 * e.g. 88 MiB for 8 MiB x 4 while streaming 400 MiB.
 */
import { pipeline } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { PutObjectInput } from '../distribution/ports.js';
import { AppError, isAppError } from '../errors.js';
import { abortMultipartQuietly } from './abort-multipart.js';
import { ByteCounter } from './byte-counter.js';
import { assertBucketName, assertObjectKey } from './object-key.js';
import { mapFailure } from './s3-call.js';
import { abortedError } from './s3-errors.js';
import { planUpload, type UploadPlan } from './upload-plan.js';

/** The store's upload tuning. */
export interface UploadOptions {
  readonly partSizeBytes: number;
  readonly queueSize: number;
}

/** What {@link uploadS3Object} stored. */
export interface UploadResult {
  readonly size: number;
  /** The ETag S3 answered for the completed object. */
  readonly etag: string | undefined;
}

/**
 * Uploads `input.body` and resolves with the number of bytes stored and the object's ETag.
 * On failure or abort the body is destroyed, no object is completed, and a started
 * multipart upload is aborted.
 * A body that fails with an AppError (a source error) keeps that error.
 */
export async function uploadS3Object(
  client: S3Client,
  input: PutObjectInput,
  options: UploadOptions,
  // If-None-Match: * on the PutObject or CompleteMultipartUpload (lib-storage passes it on).
  condition: { readonly ifAbsent?: boolean } = {},
): Promise<UploadResult> {
  const { bucket, key, body, contentLength, contentType, signal } = input;
  const operation = `PutObject s3://${bucket}/${key}`;
  let plan: UploadPlan;
  try {
    assertBucketName(bucket);
    assertObjectKey(key);
    plan = planUpload(contentLength, options.partSizeBytes, options.queueSize);
    if (signal?.aborted === true) throw abortedError(signal, operation);
  } catch (error) {
    body.destroy();
    throw error;
  }
  const counter = new ByteCounter({ expectedBytes: contentLength, maxBytes: plan.maxBytes });
  let bodyError: unknown;
  // pipeline() destroys both streams when either fails and reports the first error.
  pipeline(body, counter, (error) => {
    if (error !== null) bodyError ??= error;
  });
  // Aborting fails the body stream rather than the Upload: the Upload then stops, waits for
  // its parts in flight and never completes, so no request outlives this call.
  const onAbort = (): void => {
    if (signal !== undefined) counter.destroy(abortedError(signal, operation));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const upload = new Upload({
    client,
    params: {
      Bucket: bucket,
      Key: key,
      Body: counter,
      ContentType: contentType,
      ...(input.metadata === undefined ? {} : { Metadata: { ...input.metadata } }),
      ...(condition.ifAbsent === true ? { IfNoneMatch: '*' } : {}),
      // Only a known length: a guessed one makes lib-storage expect the wrong part count.
      ...(contentLength === undefined ? {} : { ContentLength: contentLength }),
    },
    partSize: plan.partSize,
    queueSize: plan.queueSize,
    // The abort below keeps the original error; lib-storage's own would replace it with
    // the abort's failure (s3rver answers 405).
    leavePartsOnError: true,
  });
  try {
    const done = await upload.done();
    return { size: counter.bytes, etag: done.ETag };
  } catch (error) {
    // Taken before destroy(): destroying the counter makes pipeline() report a premature close.
    const failure = bodyFailure(bodyError, operation) ?? error;
    counter.destroy();
    if (upload.uploadId !== undefined)
      await abortMultipartQuietly(client, bucket, key, upload.uploadId);
    throw mapFailure(failure, operation, signal);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

// A body that failed on its own (not through the ByteCounter's AppErrors) is a source
// failure, not a storage one.
function bodyFailure(error: unknown, operation: string): unknown {
  if (error === undefined || isAppError(error)) return error;
  return new AppError('SOURCE_UNAVAILABLE', `Reading the body of ${operation} failed`, {
    cause: error,
  });
}
