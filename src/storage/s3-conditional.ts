/**
 * The conditional requests that let a run claim and release only its own objects: a write
 * that the store refuses when the key exists, a HEAD that reads the ETag and user
 * metadata, and a delete that the store refuses once the ETag changed.
 */
import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ObjectStat, PutObjectInput, StoredObject } from '../distribution/ports.js';
import { assertBucketName, assertObjectKey } from './object-key.js';
import { callS3 } from './s3-call.js';
import { httpStatusOf, isNotFound } from './s3-errors.js';
import { uploadS3Object, type UploadOptions } from './s3-upload.js';

/** Whether a store error is a failed precondition (`If-Match`, `If-None-Match`). */
export function isPreconditionFailed(error: unknown): boolean {
  return (
    httpStatusOf(error) === 412 || (error instanceof Error && error.name === 'PreconditionFailed')
  );
}

/** The cause an AppError from {@link callS3} wraps: the SDK's own error. */
export function sdkCause(error: unknown): unknown {
  return error instanceof Error ? error.cause : undefined;
}

/**
 * Uploads with `If-None-Match: *`; undefined when the store answered 412 because an
 * object appeared at the key (another run wrote it first).
 */
export async function createS3Object(
  client: S3Client,
  input: PutObjectInput,
  options: UploadOptions,
): Promise<StoredObject | undefined> {
  try {
    return await uploadS3Object(client, input, options, { ifAbsent: true });
  } catch (error) {
    if (input.signal?.aborted !== true && isPreconditionFailed(sdkCause(error))) return undefined;
    throw error;
  }
}

/** Size, ETag and metadata of an object, or undefined when it does not exist. */
export async function statS3Object(
  client: S3Client,
  bucket: string,
  key: string,
  signal?: AbortSignal,
): Promise<ObjectStat | undefined> {
  assertBucketName(bucket);
  assertObjectKey(key);
  try {
    const head = await callS3(`HeadObject s3://${bucket}/${key}`, signal, () =>
      client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal }),
    );
    return { size: head.ContentLength ?? 0, etag: head.ETag, metadata: head.Metadata ?? {} };
  } catch (error) {
    if (signal?.aborted !== true && isNotFound(sdkCause(error))) return undefined;
    throw error;
  }
}

/**
 * Deletes an object with `If-Match: etag`. False when the store answered 412 (the object
 * changed since); true once it is deleted or missing.
 */
export async function deleteS3ObjectIfMatch(
  client: S3Client,
  bucket: string,
  key: string,
  etag: string,
  signal?: AbortSignal,
): Promise<boolean> {
  assertBucketName(bucket);
  assertObjectKey(key);
  try {
    await callS3(`DeleteObject s3://${bucket}/${key}`, signal, () =>
      client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, IfMatch: etag }), {
        abortSignal: signal,
      }),
    );
    return true;
  } catch (error) {
    if (signal?.aborted === true) throw error;
    const cause = sdkCause(error);
    if (isPreconditionFailed(cause)) return false;
    if (isNotFound(cause)) return true;
    throw error;
  }
}
