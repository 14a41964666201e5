/**
 * A body known to be smaller than one part, stored with one PutObject of its bytes in
 * memory. The multipart uploader (s3-multipart.ts) would send such a body the same way,
 * but only after allocating a whole part buffer for it, which costs more than the request
 * itself for small files.
 */
import { buffer } from 'node:stream/consumers';
import type { S3Client } from '@aws-sdk/client-s3';
import type { PutObjectInput } from '../distribution/ports.js';
import { AppError, isAppError } from '../errors.js';
import type { ByteCounter } from './byte-counter.js';
import { mapFailure } from './s3-call.js';
import { abortedError } from './s3-errors.js';
import { putWholeObject } from './s3-multipart.js';

/** What {@link putSmallObject} stored. */
export interface SmallPutResult {
  readonly size: number;
  readonly etag: string | undefined;
}

/**
 * Reads `input.body` through `counter` (its length checks apply) and stores it. Failures
 * are reported as {@link uploadS3Object} reports them: a body failure as itself (or
 * SOURCE_UNAVAILABLE), an abort as the signal's, an S3 failure as a storage error.
 */
export async function putSmallObject(
  client: S3Client,
  input: PutObjectInput,
  counter: ByteCounter,
  ifAbsent: boolean,
): Promise<SmallPutResult> {
  const { bucket, key, body, contentType, signal } = input;
  const operation = `PutObject s3://${bucket}/${key}`;
  let bodyError: unknown;
  // pipe() rather than pipeline(): pipeline makes (and aborts) an AbortController per
  // call, a cost that shows per small file. The body's failure is forwarded by hand.
  body.once('error', (error) => {
    bodyError ??= error;
    counter.destroy(error);
  });
  body.pipe(counter);
  const onAbort = (): void => {
    if (signal !== undefined) counter.destroy(abortedError(signal, operation));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let data: Buffer;
    try {
      data = await buffer(counter);
    } catch (error) {
      body.destroy();
      throw mapFailure(asBodyFailure(bodyError ?? error, operation), operation, signal);
    }
    try {
      const { etag } = await putWholeObject(
        client,
        { bucket, key, contentType, metadata: input.metadata, ifAbsent },
        data,
        signal,
      );
      return { size: data.length, etag };
    } catch (error) {
      throw mapFailure(error, operation, signal);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * A body that failed on its own (not through the ByteCounter's AppErrors) is a source
 * failure, not a storage one.
 */
export function asBodyFailure(error: unknown, operation: string): AppError {
  if (isAppError(error)) return error;
  return new AppError('SOURCE_UNAVAILABLE', `Reading the body of ${operation} failed`, {
    cause: error,
  });
}
