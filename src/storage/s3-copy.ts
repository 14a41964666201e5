/**
 * Server-side copy of one object: CopyObject up to 5 GiB, UploadPartCopy ranges above
 * (s3rver does not implement UploadPartCopy; AWS and MinIO do).
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { AppError } from '../errors.js';
import type { ObjectStore } from '../distribution/ports.js';
import { abortMultipartQuietly } from './abort-multipart.js';
import { planCopyParts, type CopyPart } from './copy-plan.js';
import { assertBucketName, assertObjectKey, encodeCopySource } from './object-key.js';
import { callS3, mapFailure } from './s3-call.js';
import { isNotFound } from './s3-errors.js';
import { mapConcurrently } from './map-concurrently.js';

/** What a copy request asks for. */
export type CopyObjectInput = Parameters<ObjectStore['copyObject']>[0];

/** Tuning of server-side copies. */
export interface CopyOptions {
  /** Sources above this size are copied in parts. */
  readonly multipartThresholdBytes: number;
  readonly partSizeBytes: number;
  /** Parts copied in parallel. */
  readonly queueSize: number;
}

/**
 * Copies `sourceBucket/sourceKey` to `bucket/key` inside the store and resolves with the
 * size. A missing source is SOURCE_NOT_FOUND. The content type is the given one, else the
 * source's.
 */
export async function copyS3Object(
  client: S3Client,
  input: CopyObjectInput,
  options: CopyOptions,
): Promise<{ size: number }> {
  const { sourceBucket, sourceKey, bucket, key, contentType, signal } = input;
  assertBucketName(sourceBucket);
  assertObjectKey(sourceKey);
  assertBucketName(bucket);
  assertObjectKey(key);
  const operation = `CopyObject s3://${sourceBucket}/${sourceKey} to s3://${bucket}/${key}`;
  const source = await callS3(operation, signal, () =>
    client.send(new HeadObjectCommand({ Bucket: sourceBucket, Key: sourceKey }), {
      abortSignal: signal,
    }),
  ).catch((error: unknown) => {
    if (error instanceof AppError && isNotFound(error.cause)) {
      throw new AppError('SOURCE_NOT_FOUND', `${operation}: the source object does not exist`, {
        cause: error,
      });
    }
    throw error;
  });
  const size = source.ContentLength ?? 0;
  const sameObject = sourceBucket === bucket && sourceKey === key;
  // S3 refuses to copy an object onto itself without a change; there is nothing to do.
  if (sameObject && (contentType === undefined || contentType === source.ContentType))
    return { size };
  const copySource = encodeCopySource(sourceBucket, sourceKey);
  if (size <= options.multipartThresholdBytes) {
    await callS3(operation, signal, () =>
      client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: key,
          CopySource: copySource,
          ...(contentType === undefined
            ? {}
            : { ContentType: contentType, MetadataDirective: 'REPLACE' }),
        }),
        { abortSignal: signal },
      ),
    );
    return { size };
  }
  const parts = planCopyParts(size, options.partSizeBytes);
  const created = await callS3(operation, signal, () =>
    client.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        ContentType: contentType ?? source.ContentType,
      }),
      { abortSignal: signal },
    ),
  );
  const uploadId = created.UploadId;
  if (uploadId === undefined) {
    throw new AppError(
      'STORAGE_UNAVAILABLE',
      `${operation}: CreateMultipartUpload returned no upload id`,
    );
  }
  // One failed part stops the others, so that the clean-up below does not race them.
  const stop = new AbortController();
  const partSignal = signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal]);
  try {
    const copyPart = async (part: CopyPart): Promise<CompletedPart> => {
      const result = await client.send(
        new UploadPartCopyCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: part.partNumber,
          CopySource: copySource,
          CopySourceRange: part.range,
          // Fails the copy instead of mixing two versions when the source changes meanwhile.
          CopySourceIfMatch: source.ETag,
        }),
        { abortSignal: partSignal },
      );
      return { PartNumber: part.partNumber, ETag: result.CopyPartResult?.ETag };
    };
    const completed = await mapConcurrently(parts, options.queueSize, copyPart, stop);
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: completed },
      }),
      { abortSignal: signal },
    );
    return { size };
  } catch (error) {
    await abortMultipartQuietly(client, bucket, key, uploadId);
    throw mapFailure(error, operation, signal);
  }
}
