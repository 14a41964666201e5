/**
 * The {@link ObjectStore} port on S3 or an S3-compatible server.
 */
import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore, PutObjectInput } from '../distribution/ports.js';
import { assertBucketName, assertObjectKey } from './object-key.js';
import { callS3 } from './s3-call.js';
import { deleteS3Prefix, type DeleteMode } from './s3-delete-prefix.js';
import { isNotFound } from './s3-errors.js';
import { uploadS3Object, type UploadOptions } from './s3-upload.js';
import { OpenMultipartUploads } from './abort-multipart.js';
import { createS3Object, deleteS3ObjectIfMatch, statS3Object } from './s3-conditional.js';
import {
  DEFAULT_PART_SIZE,
  DEFAULT_QUEUE_SIZE,
  assertUploadOptions,
  uploadMemory,
} from './upload-plan.js';
import { ConditionalWrites, type ConditionalWriteMode } from './conditional-writes.js';

/** Tuning of an {@link S3ObjectStore}. */
export interface S3ObjectStoreOptions {
  /** Multipart part size in bytes: default 8 MiB, at least 5 MiB. */
  readonly partSizeBytes?: number | undefined;
  /** Parts uploaded in parallel per object: default 4. */
  readonly queueSize?: number | undefined;
  /** Whether the store honours `If-None-Match: *` (S3_CONDITIONAL_WRITES): default `auto`. */
  readonly conditionalWrites?: ConditionalWriteMode | undefined;
}

/**
 * Streams, deletes and inspects objects. Every failure is an AppError: STORAGE_*
 * for the store, INVALID_KEY for keys or prefixes refused before any request, and the
 * body's own AppError (SOURCE_*) when the body failed.
 */
export class S3ObjectStore implements ObjectStore {
  readonly #client: S3Client;
  readonly #tuning: UploadOptions;
  readonly #openUploads = new OpenMultipartUploads();
  readonly #deleteMode: DeleteMode = { singleDeletes: false };
  readonly #conditional: ConditionalWrites;

  constructor(client: S3Client, options: S3ObjectStoreOptions = {}) {
    this.#client = client;
    const partSizeBytes = options.partSizeBytes ?? DEFAULT_PART_SIZE;
    const queueSize = options.queueSize ?? DEFAULT_QUEUE_SIZE;
    assertUploadOptions(partSizeBytes, queueSize);
    this.#tuning = { partSizeBytes, queueSize, openUploads: this.#openUploads };
    this.#conditional = new ConditionalWrites(client, options.conditionalWrites ?? 'auto');
  }

  /**
   * Aborts the multipart uploads still open (each within 10 s), for shutdown after the
   * worker stopped: a handler cut off by the shutdown may not have aborted its own yet.
   * Resolves with how many aborts S3 accepted. The store stays usable.
   */
  abortOpenUploads(): Promise<number> {
    return this.#openUploads.abortAll(this.#client);
  }

  /** {@inheritDoc ObjectStore.putObject} */
  putObject(input: PutObjectInput): Promise<{ readonly size: number }> {
    return uploadS3Object(this.#client, input, this.#tuning);
  }

  /** {@inheritDoc ObjectStore.deletePrefix} */
  deletePrefix(bucket: string, prefix: string, signal?: AbortSignal): Promise<number> {
    return deleteS3Prefix(this.#client, bucket, prefix, signal, this.#deleteMode);
  }

  /** {@inheritDoc ObjectStore.deleteObject} */
  async deleteObject(bucket: string, key: string, signal?: AbortSignal): Promise<void> {
    assertBucketName(bucket);
    assertObjectKey(key);
    await callS3(`DeleteObject s3://${bucket}/${key}`, signal, () =>
      this.#client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), {
        abortSignal: signal,
      }),
    );
  }

  /** {@inheritDoc ObjectStore.headObject} A missing bucket also gives undefined (HEAD has no error body). */
  async headObject(bucket: string, key: string, signal?: AbortSignal): Promise<number | undefined> {
    assertBucketName(bucket);
    assertObjectKey(key);
    try {
      const head = await callS3(`HeadObject s3://${bucket}/${key}`, signal, () =>
        this.#client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), {
          abortSignal: signal,
        }),
      );
      return head.ContentLength ?? 0;
    } catch (error) {
      if (signal?.aborted !== true && isNotFound(errorCause(error))) return undefined;
      throw error;
    }
  }

  /** {@inheritDoc ObjectStore.createObject} */
  createObject(input: PutObjectInput) {
    return createS3Object(this.#client, input, this.#tuning);
  }

  /** {@inheritDoc ObjectStore.mustCheckBeforeCreate} */
  async mustCheckBeforeCreate(bucket: string, contentLength: number | undefined): Promise<boolean> {
    // A body of less than one part goes as one PutObject; anything larger (or of unknown
    // length) may go multipart, where If-None-Match is checked only at completion.
    if (contentLength === undefined || contentLength >= this.#tuning.partSizeBytes) return true;
    return !(await this.#conditional.honoured(bucket));
  }

  /** {@inheritDoc ObjectStore.uploadMemory} */
  uploadMemory(contentLength: number | undefined): number {
    return uploadMemory(contentLength, this.#tuning.partSizeBytes, this.#tuning.queueSize);
  }

  /** {@inheritDoc ObjectStore.statObject} */
  statObject(bucket: string, key: string, signal?: AbortSignal) {
    return statS3Object(this.#client, bucket, key, signal);
  }

  /** {@inheritDoc ObjectStore.deleteObjectIfMatch} */
  deleteObjectIfMatch(bucket: string, key: string, etag: string, signal?: AbortSignal) {
    return deleteS3ObjectIfMatch(this.#client, bucket, key, etag, signal);
  }
}

function errorCause(error: unknown): unknown {
  return error instanceof Error ? error.cause : undefined;
}
