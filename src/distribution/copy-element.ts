import type { Logger } from './logger.js';
import type { MediaPackageElement } from '../opencast/model.js';
import type { ObjectStore, StoredObject } from './ports.js';
import { withRetry, type RetryPolicy } from './retry.js';

/** An object of the store that a source URL names. */
export interface SourceObject {
  readonly bucket: string;
  readonly key: string;
}

/** One copy inside the store. */
export interface ObjectCopyInput {
  readonly source: SourceObject;
  readonly bucket: string;
  readonly key: string;
  /** The copy's user metadata (the run's marks; the source's are not kept). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Undefined keeps the source's content type. */
  readonly contentType: string | undefined;
  /** Only when no object exists at the key (`If-None-Match: *`). */
  readonly ifAbsent: boolean;
  readonly signal: AbortSignal;
}

/** Server-side copy: sources that already are objects of the store (SOURCE_S3_BUCKETS). */
export interface ElementCopies {
  /** The object a source URL names when it can be copied inside the store, else undefined. */
  sourceObject(url: string): SourceObject | undefined;
  /**
   * Copies; resolves with the copy's size and ETag, or undefined when `ifAbsent` and the
   * store refused because an object exists (412). Errors are AppErrors (SOURCE_NOT_FOUND
   * for a missing source, STORAGE_* for the store).
   */
  copy(input: ObjectCopyInput): Promise<StoredObject | undefined>;
}

/** What {@link copyElement} needs. */
export interface CopyDeps {
  readonly store: ObjectStore;
  readonly copies: ElementCopies;
  readonly retry: RetryPolicy;
}

/** What a copy did; the same as a written element (`WrittenElement`). */
export interface CopiedElement {
  readonly size: number;
  /** Whether this run created the object, so a rollback may remove it. */
  readonly created: boolean;
  readonly etag: string | undefined;
}

/**
 * Copies an element whose source is an object of the store, with the run's metadata, under
 * the same ownership rules as an upload: the key is checked right before the copy; a key
 * found empty is copied with `If-None-Match: *` and counts as created (its ETag is kept
 * for the rollback's check); when another run created it meanwhile (412) it is copied over
 * without being claimed. Transient failures are tried again.
 */
export async function copyElement(
  upload: { readonly element: MediaPackageElement; readonly key: string },
  source: SourceObject,
  bucket: string,
  metadata: Readonly<Record<string, string>>,
  deps: CopyDeps,
  log: Logger,
  signal: AbortSignal,
): Promise<CopiedElement> {
  const { store, copies } = deps;
  const existed = await withRetry(
    async () => (await store.headObject(bucket, upload.key, signal)) !== undefined,
    deps.retry,
    signal,
  );
  let claim = !existed;
  const input = (ifAbsent: boolean): ObjectCopyInput => ({
    source,
    bucket,
    key: upload.key,
    metadata,
    contentType: upload.element.mimetype,
    ifAbsent,
    signal,
  });
  log.info({ key: upload.key, source: `s3://${source.bucket}/${source.key}` }, 'copying inside S3');
  return withRetry(
    async () => {
      if (claim) {
        const copied = await copies.copy(input(true));
        if (copied !== undefined) return { size: copied.size, created: true, etag: copied.etag };
        claim = false;
        log.info({ key: upload.key }, 'another run created the object first; copying over it');
      }
      const copied = await copies.copy(input(false));
      return { size: copied?.size ?? 0, created: false, etag: undefined };
    },
    deps.retry,
    signal,
    (err, attempt, delayMs) => {
      log.warn({ err, attempt, delayMs, key: upload.key }, 'copy failed, trying again');
    },
  );
}
