/**
 * Deletes every object under a folder prefix: ListObjectsV2 pages, DeleteObjects batches
 * of at most 1000 keys, single DeleteObject calls on servers that refuse DeleteObjects.
 *
 * s3rver gap: a listing with more than 1000 keys (a truncated page) answers 500 on
 * Node >= 17 unless node runs with `--openssl-legacy-provider` (its continuation token
 * uses DES). Folders of up to 1000 objects work; larger ones need a real S3 or MinIO.
 */
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { AppError } from '../errors.js';
import { withContentMd5 } from './content-md5.js';
import { assertBucketName, assertFolderPrefix } from './object-key.js';
import { callS3 } from './s3-call.js';
import { errorNameOf, httpStatusOf, storageCodeFor } from './s3-errors.js';

/** Most keys one DeleteObjects request may name. */
export const DELETE_BATCH_SIZE = 1000;
/** Single DeleteObject calls in flight when DeleteObjects is refused. */
const SINGLE_DELETE_CONCURRENCY = 8;

/** Remembers, per store, that the server refused DeleteObjects. */
export interface DeleteMode {
  singleDeletes: boolean;
}

/** Whether a DeleteObjects failure means "not supported here" rather than "failed". */
export function isBatchDeleteRefused(error: unknown): boolean {
  const status = httpStatusOf(error);
  const name = errorNameOf(error);
  return (
    status === 501 ||
    status === 405 ||
    name === 'NotImplemented' ||
    name === 'MethodNotAllowed' ||
    name === 'MissingContentMD5'
  );
}

/**
 * Deletes all objects whose key starts with `prefix` and resolves with how many. Refuses
 * (INVALID_KEY) an empty prefix or one that does not end with `/`. Keys a server lists
 * outside the prefix are never deleted.
 */
export async function deleteS3Prefix(
  client: S3Client,
  bucket: string,
  prefix: string,
  signal: AbortSignal | undefined,
  mode: DeleteMode,
): Promise<number> {
  assertBucketName(bucket);
  assertFolderPrefix(prefix);
  const operation = `DeletePrefix s3://${bucket}/${prefix}`;
  let deleted = 0;
  let token: string | undefined;
  do {
    const page = await callS3(operation, signal, () =>
      client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        { abortSignal: signal },
      ),
    );
    const keys = (page.Contents ?? [])
      .map((entry) => entry.Key)
      .filter((key): key is string => key?.startsWith(prefix) === true);
    for (let start = 0; start < keys.length; start += DELETE_BATCH_SIZE) {
      const batch = keys.slice(start, start + DELETE_BATCH_SIZE);
      deleted += await deleteBatch(client, bucket, batch, signal, mode, operation);
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return deleted;
}

async function deleteBatch(
  client: S3Client,
  bucket: string,
  keys: readonly string[],
  signal: AbortSignal | undefined,
  mode: DeleteMode,
  operation: string,
): Promise<number> {
  if (!mode.singleDeletes) {
    try {
      const command = withContentMd5(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: keys.map((key) => ({ Key: key })), Quiet: true },
        }),
      );
      const result = await callS3(operation, signal, () =>
        client.send(command, { abortSignal: signal }),
      );
      const failed = result.Errors ?? [];
      const first = failed[0];
      if (first !== undefined) {
        throw new AppError(
          storageCodeFor(first.Code),
          `${operation} failed for ${failed.length} of ${keys.length} keys, first ${JSON.stringify(first.Key)}: ${first.Code ?? 'Error'}: ${first.Message ?? ''}`,
        );
      }
      return keys.length;
    } catch (error) {
      if (!(error instanceof AppError && isBatchDeleteRefused(error.cause))) throw error;
      mode.singleDeletes = true;
    }
  }
  for (let start = 0; start < keys.length; start += SINGLE_DELETE_CONCURRENCY) {
    const group = keys.slice(start, start + SINGLE_DELETE_CONCURRENCY);
    await Promise.all(
      group.map((key) =>
        callS3(`DeleteObject s3://${bucket}/${key}`, signal, () =>
          client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), {
            abortSignal: signal,
          }),
        ),
      ),
    );
  }
  return keys.length;
}
