/**
 * Streams one body into S3: a body known to be smaller than a part as one PutObject of its
 * bytes (s3-put-small.ts), any other with our own multipart uploader (s3-multipart.ts: a
 * single PutObject when it turns out smaller than a part, a multipart upload otherwise).
 * Memory is bounded by the part size and queue size: (queueSize + 1) x partSize of part
 * buffers, each body byte copied once into them, plus the source's chunks in its stream
 * buffers (e.g. 40 MiB of part buffers for 8 MiB x 4).
 */
import { pipeline } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { PutObjectInput } from '../distribution/ports.js';
import { abortMultipartQuietly, OpenMultipartUploads } from './abort-multipart.js';
import { ByteCounter } from './byte-counter.js';
import { assertBucketName, assertObjectKey } from './object-key.js';
import { mapFailure } from './s3-call.js';
import { abortedError } from './s3-errors.js';
import { uploadInParts } from './s3-multipart.js';
import { planUpload, type UploadPlan } from './upload-plan.js';
import { asBodyFailure, putSmallObject } from './s3-put-small.js';

/** The store's upload tuning. */
export interface UploadOptions {
  readonly partSizeBytes: number;
  readonly queueSize: number;
  /** Where started multipart uploads are registered until they complete or are aborted. */
  readonly openUploads?: OpenMultipartUploads | undefined;
}

/** What {@link uploadS3Object} stored. */
export interface UploadResult {
  readonly size: number;
  /** The ETag S3 answered for the completed object. */
  readonly etag: string | undefined;
}

/** Which side failed first: the body (source) or a request to S3. */
interface FirstFailure {
  readonly from: 'body' | 's3';
  readonly error: unknown;
}

/**
 * Uploads `input.body` and resolves with the number of bytes stored and the object's ETag.
 * On failure or abort the body is destroyed, the upload's requests in flight are aborted,
 * no object is completed, and a started multipart upload is aborted (within
 * {@link ABORT_MULTIPART_TIMEOUT_MS}, whatever the caller's signal says).
 * The failure reported is the one that happened first: a body that failed (a source error,
 * a length mismatch) keeps its error; an S3 request that failed (UploadPart 503) is
 * reported as the storage error it is, although stopping the upload then also breaks the
 * body's pipeline.
 */
export async function uploadS3Object(
  client: S3Client,
  input: PutObjectInput,
  options: UploadOptions,
  // If-None-Match: * on the PutObject or CompleteMultipartUpload.
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
  const counter = new ByteCounter({
    expectedBytes: contentLength,
    maxBytes: plan.maxBytes,
    onBytes: input.onProgress,
  });
  if (contentLength !== undefined && contentLength < plan.partSize) {
    return putSmallObject(client, input, counter, condition.ifAbsent === true);
  }
  let first: FirstFailure | undefined;
  // pipeline() destroys both streams when either fails and reports the first error.
  // Node passes undefined, not the typed null, when the pipeline succeeds.
  pipeline(body, counter, (error: NodeJS.ErrnoException | null | undefined) => {
    if (error !== null && error !== undefined) first ??= { from: 'body', error };
  });
  const openUploads = options.openUploads ?? new OpenMultipartUploads();
  let uploadId: string | undefined;
  // Every request of this upload carries this signal, so an abort or a failure stops parts
  // in flight at once instead of after socket timeouts.
  const requests = new AbortController();
  const onAbort = (): void => {
    if (signal === undefined) return;
    counter.destroy(abortedError(signal, operation));
    requests.abort(signal.reason);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const done = await uploadInParts(
      client,
      counter,
      {
        bucket,
        key,
        contentType,
        metadata: input.metadata,
        ifAbsent: condition.ifAbsent === true,
      },
      plan,
      {
        requests,
        signal,
        started: (id) => {
          uploadId = id;
          openUploads.add({ bucket, key, uploadId: id });
        },
        failed: (from, error) => {
          first ??= { from, error };
        },
      },
    );
    if (uploadId !== undefined) openUploads.delete(uploadId);
    return { size: counter.bytes, etag: done.etag };
  } catch (error) {
    const failure =
      first === undefined
        ? error
        : first.from === 'body'
          ? asBodyFailure(first.error, operation)
          : first.error;
    counter.destroy();
    // pipeline() would destroy it a tick later; the caller may look right away.
    body.destroy();
    requests.abort();
    if (uploadId !== undefined) {
      await abortMultipartQuietly(client, { bucket, key, uploadId });
      openUploads.delete(uploadId);
    }
    throw mapFailure(failure, operation, signal);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
