/**
 * Server-side copy of a source that already is an object of the store: CopyObject up to a
 * threshold (at most S3's 5 GiB limit of one copy), UploadPartCopy parts above it. No byte
 * passes through this process. Also reads such a source (GetObject) where its bytes are
 * needed (HLS playlists are rewritten).
 */
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { SourceStream, StoredObject } from '../distribution/ports.js';
import { AppError } from '../errors.js';
import { abortMultipartQuietly, type OpenMultipartUploads } from './abort-multipart.js';
import { assertBucketName, assertObjectKey } from './object-key.js';
import { callS3 } from './s3-call.js';
import { isPreconditionFailed, sdkCause } from './s3-conditional.js';
import { isNotFound } from './s3-errors.js';
import {
  MAX_OBJECT_SIZE,
  MAX_PARTS,
  MAX_PART_SIZE,
  MAX_SINGLE_COPY_BYTES,
  MIN_PART_SIZE,
} from './upload-plan.js';

const MiB = 1024 * 1024;
/** Preferred size of one UploadPartCopy: few requests, each well within S3's limits. */
const PREFERRED_COPY_PART = 512 * MiB;
/** UploadPartCopy requests in flight per object. */
const COPY_PARTS_IN_FLIGHT = 4;

/** An object to copy from, and where to. */
export interface CopyInput {
  readonly source: { readonly bucket: string; readonly key: string };
  readonly bucket: string;
  readonly key: string;
  /** User metadata of the copy (replaces the source's). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Content type of the copy; undefined keeps the source's. */
  readonly contentType?: string | undefined;
  /** Write only if no object exists at the key (`If-None-Match: *`). */
  readonly ifAbsent: boolean;
  readonly signal?: AbortSignal | undefined;
}

/** The store's copy tuning (S3_COPY_MULTIPART_THRESHOLD_MB). */
export interface CopyOptions {
  /** Objects larger than this are copied in parts. */
  readonly multipartThresholdBytes: number;
  readonly openUploads?: OpenMultipartUploads | undefined;
}

/** The byte ranges of a multipart copy: [first, last] inclusive, as `CopySourceRange` wants. */
export function planCopyParts(size: number, thresholdBytes: number): [number, number][] {
  if (!Number.isSafeInteger(size) || size <= 0 || size > MAX_OBJECT_SIZE) {
    throw new AppError('STORAGE_REJECTED', `Cannot copy an object of ${size} bytes in parts`);
  }
  const preferred = Math.max(MIN_PART_SIZE, Math.min(PREFERRED_COPY_PART, thresholdBytes));
  const needed = Math.ceil(Math.ceil(size / MAX_PARTS) / MiB) * MiB;
  const partSize = Math.min(MAX_PART_SIZE, Math.max(preferred, needed));
  const parts: [number, number][] = [];
  for (let first = 0; first < size; first += partSize) {
    parts.push([first, Math.min(size, first + partSize) - 1]);
  }
  return parts;
}

/** The `x-amz-copy-source` value: bucket and key, each key segment percent-encoded. */
function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Copies `input.source` to `input.bucket`/`input.key` with new metadata. Resolves with the
 * copy's size and ETag, or undefined when `ifAbsent` and the store answered 412 (an object
 * appeared at the key). A missing source is SOURCE_NOT_FOUND; a source that changes while
 * its parts are copied fails the copy (every part is copied `If-Match` its first ETag).
 */
export async function copyS3Object(
  client: S3Client,
  input: CopyInput,
  options: CopyOptions,
): Promise<StoredObject | undefined> {
  const { source, bucket, key, signal } = input;
  assertBucketName(source.bucket);
  assertObjectKey(source.key);
  assertBucketName(bucket);
  assertObjectKey(key);
  const from = `s3://${source.bucket}/${source.key}`;
  let head;
  try {
    head = await callS3(`HeadObject ${from}`, signal, () =>
      client.send(new HeadObjectCommand({ Bucket: source.bucket, Key: source.key }), {
        abortSignal: signal,
      }),
    );
  } catch (error) {
    if (signal?.aborted !== true && isNotFound(sdkCause(error))) {
      throw new AppError('SOURCE_NOT_FOUND', `Source object ${from} does not exist`, {
        cause: error,
      });
    }
    throw error;
  }
  const size = head.ContentLength ?? 0;
  const contentType = input.contentType ?? head.ContentType;
  const threshold = Math.min(options.multipartThresholdBytes, MAX_SINGLE_COPY_BYTES);
  try {
    const etag =
      size <= threshold
        ? await copyWhole(client, input, contentType)
        : await copyInParts(client, input, contentType, size, head.ETag, threshold, options);
    return { size, etag };
  } catch (error) {
    if (input.ifAbsent && signal?.aborted !== true && isPreconditionFailed(sdkCause(error))) {
      return undefined;
    }
    throw error;
  }
}

async function copyWhole(
  client: S3Client,
  input: CopyInput,
  contentType: string | undefined,
): Promise<string | undefined> {
  const { source, bucket, key, signal } = input;
  const result = await callS3(
    `CopyObject s3://${source.bucket}/${source.key} to s3://${bucket}/${key}`,
    signal,
    () =>
      client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: key,
          CopySource: copySource(source.bucket, source.key),
          MetadataDirective: 'REPLACE',
          Metadata: { ...input.metadata },
          ContentType: contentType,
          IfNoneMatch: input.ifAbsent ? '*' : undefined,
        }),
        { abortSignal: signal },
      ),
  );
  return result.CopyObjectResult?.ETag;
}

async function copyInParts(
  client: S3Client,
  input: CopyInput,
  contentType: string | undefined,
  size: number,
  sourceEtag: string | undefined,
  threshold: number,
  options: CopyOptions,
): Promise<string | undefined> {
  const { source, bucket, key, signal } = input;
  const operation = `UploadPartCopy s3://${source.bucket}/${source.key} to s3://${bucket}/${key}`;
  const ranges = planCopyParts(size, threshold);
  const created = await callS3(`CreateMultipartUpload s3://${bucket}/${key}`, signal, () =>
    client.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        Metadata: { ...input.metadata },
        ContentType: contentType,
      }),
      { abortSignal: signal },
    ),
  );
  const uploadId = created.UploadId;
  if (uploadId === undefined) {
    throw new AppError('STORAGE_REJECTED', `${operation}: the store returned no upload id`);
  }
  const upload = { bucket, key, uploadId };
  options.openUploads?.add(upload);
  try {
    const parts: CompletedPart[] = new Array<CompletedPart>(ranges.length);
    let next = 0;
    const copyNext = async (): Promise<void> => {
      for (let index = next++; index < ranges.length; index = next++) {
        const [first, last] = ranges[index] ?? [0, 0];
        const result = await callS3(operation, signal, () =>
          client.send(
            new UploadPartCopyCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber: index + 1,
              CopySource: copySource(source.bucket, source.key),
              CopySourceRange: `bytes=${first}-${last}`,
              CopySourceIfMatch: sourceEtag,
            }),
            { abortSignal: signal },
          ),
        );
        parts[index] = { PartNumber: index + 1, ETag: result.CopyPartResult?.ETag };
      }
    };
    // One failed part stops the others from starting more.
    const copyUntilFailure = () =>
      copyNext().catch((error: unknown) => {
        next = ranges.length;
        throw error;
      });
    await Promise.all(Array.from({ length: COPY_PARTS_IN_FLIGHT }, copyUntilFailure));
    const completed = await callS3(`CompleteMultipartUpload s3://${bucket}/${key}`, signal, () =>
      client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
          IfNoneMatch: input.ifAbsent ? '*' : undefined,
        }),
        { abortSignal: signal },
      ),
    );
    options.openUploads?.delete(uploadId);
    return completed.ETag;
  } catch (error) {
    options.openUploads?.delete(uploadId);
    await abortMultipartQuietly(client, upload);
    throw error;
  }
}

/** Reads an object of the store as a source. A missing object is SOURCE_NOT_FOUND. */
export async function openS3Object(
  client: S3Client,
  object: { readonly bucket: string; readonly key: string },
  signal?: AbortSignal,
): Promise<SourceStream> {
  const { bucket, key } = object;
  assertBucketName(bucket);
  assertObjectKey(key);
  try {
    const result = await callS3(`GetObject s3://${bucket}/${key}`, signal, () =>
      client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal }),
    );
    if (!(result.Body instanceof Readable)) {
      throw new AppError('STORAGE_REJECTED', `GetObject s3://${bucket}/${key} returned no stream`);
    }
    return {
      body: result.Body,
      contentLength: result.ContentLength,
      contentType: result.ContentType,
    };
  } catch (error) {
    if (signal?.aborted !== true && isNotFound(sdkCause(error))) {
      throw new AppError('SOURCE_NOT_FOUND', `Source object s3://${bucket}/${key} does not exist`, {
        cause: error,
      });
    }
    throw error;
  }
}
