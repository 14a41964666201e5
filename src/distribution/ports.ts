/**
 * What the distribution use cases need from the outside world. Adapters in `storage/`,
 * `sources/` and `messaging/` implement these; tests inject their own.
 */
import type { Readable } from 'node:stream';
import type { PublishedUrlCheck } from '../contract/event.js';

/** One object to write. */
export interface PutObjectInput {
  readonly bucket: string;
  readonly key: string;
  readonly body: Readable;
  /** Known length in bytes, if any; used to choose the multipart part size. */
  readonly contentLength?: number | undefined;
  /** User metadata stored with the object (`x-amz-meta-*`); lower-case names. */
  readonly metadata?: Readonly<Record<string, string>> | undefined;
  readonly contentType?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Told how many body bytes went into the upload so far, after each chunk. */
  readonly onProgress?: ((bytes: number) => void) | undefined;
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
  /**
   * Like `putObject`, but only when no object exists at the key (`If-None-Match: *`).
   * Resolves undefined when the store refused because one exists (HTTP 412): nothing was
   * written and `input.body` is spent. A store that ignores conditional writes (s3rver)
   * writes anyway.
   */
  createObject(input: PutObjectInput): Promise<StoredObject | undefined>;
  /**
   * Whether {@link createObject} of a body of `contentLength` bytes must be preceded by a
   * HEAD to learn that the key held nothing: true where the store ignores `If-None-Match`
   * (so only a HEAD tells), and for bodies that go multipart, whose refusal would come only
   * after every part was sent. Unimplemented: always check.
   */
  mustCheckBeforeCreate?(
    bucket: string,
    contentLength: number | undefined,
    signal?: AbortSignal,
  ): Promise<boolean>;
  /**
   * About how many bytes of memory an upload of `contentLength` bytes (undefined: unknown)
   * holds while it runs; what a worker's memory budget reserves for it. Unimplemented: 0.
   */
  uploadMemory?(contentLength: number | undefined): number;
  /** Size, ETag and user metadata of an object, or undefined when it does not exist. */
  statObject(bucket: string, key: string, signal?: AbortSignal): Promise<ObjectStat | undefined>;
  /**
   * Deletes an object only while its ETag is `etag` (`If-Match`). Resolves false when the
   * store refused because the object changed (HTTP 412); true when it is gone (or was).
   * A store that ignores conditional requests (s3rver) deletes anyway.
   */
  deleteObjectIfMatch(
    bucket: string,
    key: string,
    etag: string,
    signal?: AbortSignal,
  ): Promise<boolean>;
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

/** The outcome of one published URL's check, with the HEAD requests it took. */
export interface UrlCheck extends PublishedUrlCheck {
  readonly tries: number;
}

/** Checks that a distributed URL answers 200 (Opencast's checkAvailability). */
export interface AvailabilityChecker {
  /**
   * Resolves once the URL answered 200 or the check gave up. Never throws. With `signed`,
   * each try HEADs the URL it makes instead (signed URLs are on: the bucket or the CDN is
   * private, as Opencast's presigned HEAD checks assume).
   */
  check(url: string, signal?: AbortSignal, signed?: () => Promise<string>): Promise<UrlCheck>;
}

/** Time source, injectable for tests. */
export type Clock = () => Date;

/** What a write stored. */
export interface StoredObject {
  readonly size: number;
  /** The ETag the store answered, quotes included; undefined if it sent none. */
  readonly etag: string | undefined;
}

/** An object's current state, as a HEAD sees it. */
export interface ObjectStat extends StoredObject {
  /** User metadata (`x-amz-meta-*`) by lower-case name, without the prefix. */
  readonly metadata: Readonly<Record<string, string>>;
}
