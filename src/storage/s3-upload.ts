/**
 * Streams one body into S3: a body known to be smaller than a part as one PutObject of its
 * bytes (s3-put-small.ts), any other with `@aws-sdk/lib-storage` (a single PutObject when it
 * turns out smaller than a part, a multipart upload otherwise). Memory is bounded by the part size and
 * queue size: measured live (after GC) about 2 x partSize x queueSize + 1.5 x partSize,
 * e.g. 88 MiB for 8 MiB x 4 while streaming 400 MiB.
 */
import { pipeline } from 'node:stream';
import { CreateMultipartUploadCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { PutObjectInput } from '../distribution/ports.js';
import { abortMultipartQuietly, OpenMultipartUploads } from './abort-multipart.js';
import { ByteCounter } from './byte-counter.js';
import { assertBucketName, assertObjectKey } from './object-key.js';
import { mapFailure } from './s3-call.js';
import { abortedError } from './s3-errors.js';
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
  // lib-storage sends its requests without a signal: every request of this upload carries
  // this one, so an abort stops parts in flight at once instead of after socket timeouts.
  const requests = new AbortController();
  const scoped = withSignal(client, requests.signal, {
    failed: (error) => {
      first ??= { from: 's3', error };
    },
    started: (id) => {
      uploadId = id;
      openUploads.add({ bucket, key, uploadId: id });
    },
  });
  const onAbort = (): void => {
    if (signal === undefined) return;
    counter.destroy(abortedError(signal, operation));
    requests.abort(signal.reason);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const upload = new Upload({
    client: scoped,
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
    // The abort below keeps the original error and has a timeout of its own;
    // lib-storage's would replace the error with the abort's failure (s3rver answers 405).
    leavePartsOnError: true,
  });
  try {
    const done = await upload.done();
    if (uploadId !== undefined) openUploads.delete(uploadId);
    return { size: counter.bytes, etag: done.ETag };
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

/** What {@link withSignal} reports about the requests it sends. */
interface RequestEvents {
  readonly failed: (error: unknown) => void;
  readonly started: (uploadId: string) => void;
}

type SendArguments = Parameters<S3Client['send']>;

/**
 * A view of `client` whose `send` adds `signal` to every request and reports failures and
 * started multipart uploads. The view inherits everything else (config, middleware) from
 * the shared client, so no connection pool is created.
 */
function withSignal(client: S3Client, signal: AbortSignal, events: RequestEvents): S3Client {
  const view = Object.create(client) as S3Client;
  const send = async (command: SendArguments[0], options?: { abortSignal?: AbortSignal }) => {
    try {
      const output: unknown = await client.send(command, { ...options, abortSignal: signal });
      if (command instanceof CreateMultipartUploadCommand) {
        const id = (output as { UploadId?: string }).UploadId;
        if (id !== undefined) events.started(id);
      }
      return output;
    } catch (error) {
      events.failed(error);
      throw error;
    }
  };
  Object.defineProperty(view, 'send', { value: send });
  return view;
}
