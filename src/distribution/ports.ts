/**
 * What the distribution use cases need from the outside world. Adapters in `storage/`,
 * `sources/` and `messaging/` implement these; tests inject their own.
 */
import type { Readable } from 'node:stream';

/** One object to write. */
export interface PutObjectInput {
  readonly bucket: string;
  readonly key: string;
  readonly body: Readable;
  /** Known length in bytes, if any; used to choose the multipart part size. */
  readonly contentLength?: number | undefined;
  readonly contentType?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** The object store (S3 or compatible). Errors are `AppError`s with STORAGE_* codes. */
export interface ObjectStore {
  /** Streams a body into an object, multipart when large. Resolves with the stored size. */
  putObject(input: PutObjectInput): Promise<{ readonly size: number }>;
  /** Deletes every object whose key starts with `prefix`; resolves with how many. */
  deletePrefix(bucket: string, prefix: string, signal?: AbortSignal): Promise<number>;
  /** Deletes one object; deleting a missing object succeeds. */
  deleteObject(bucket: string, key: string, signal?: AbortSignal): Promise<void>;
  /** Size of an object, or undefined when it does not exist. */
  headObject(bucket: string, key: string, signal?: AbortSignal): Promise<number | undefined>;
}

/** An opened source file. The caller must consume or destroy `body`. */
export interface SourceStream {
  readonly body: Readable;
  readonly contentLength: number | undefined;
  readonly contentType: string | undefined;
}

/** Opens element sources (http(s), shared storage). Errors are `AppError`s with SOURCE_* codes. */
export interface SourceFetcher {
  /** Throws SOURCE_FORBIDDEN without any I/O for URLs outside the allow-list. */
  assertAllowed(url: string): void;
  open(url: string, signal?: AbortSignal): Promise<SourceStream>;
}

/** Checks that a distributed URL answers 200 (Opencast's checkAvailability). */
export interface AvailabilityChecker {
  /** Resolves true once the URL answered 200, false when all tries failed. Never throws. */
  check(url: string, signal?: AbortSignal): Promise<boolean>;
}

/** Time source, injectable for tests. */
export type Clock = () => Date;
