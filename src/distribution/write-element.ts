import type { Logger } from './logger.js';
import { Readable } from 'node:stream';
import type { RewrittenPlaylist } from '../opencast/hls.js';
import { copyElement, type ElementCopies } from './copy-element.js';
import type { MediaPackageElement } from '../opencast/model.js';
import type { ObjectStore, PutObjectInput, SourceFetcher } from './ports.js';
import { withRetry, type RetryPolicy } from './retry.js';

/** What writing one element did. */
export interface WrittenElement {
  readonly size: number;
  /** Whether this run created the object (the key held nothing), so a rollback may remove it. */
  readonly created: boolean;
  /** The ETag of the created object, for the rollback's ownership check. */
  readonly etag: string | undefined;
}

/** The element and where it goes (a `PlannedUpload`). */
export interface ElementWrite {
  readonly element: MediaPackageElement;
  readonly key: string;
}

/** What {@link writeElement} needs. */
export interface WriteDeps {
  readonly store: ObjectStore;
  readonly sources: SourceFetcher;
  readonly retry: RetryPolicy;
  /** How often a running upload logs its progress; default {@link PROGRESS_INTERVAL_MS}. */
  readonly progressIntervalMs?: number | undefined;
  /** Server-side copy of sources that are objects of the store; undefined: none. */
  readonly copies?: ElementCopies | undefined;
}

/** Default interval of the "upload in progress" log line. */
export const PROGRESS_INTERVAL_MS = 30_000;

/**
 * Writes one element, tagged with `metadata`, and says whether this run created it. The
 * key is checked right before the write, not in a round up front, so a concurrent run has
 * little time to write first; a key found empty is then written with `If-None-Match: *`,
 * and when another run did create it meanwhile (412) it is written over without being
 * claimed. Transient failures are tried again.
 */
export async function writeElement(
  upload: ElementWrite,
  playlist: RewrittenPlaylist | undefined,
  bucket: string,
  metadata: Readonly<Record<string, string>>,
  deps: WriteDeps,
  log: Logger,
  signal: AbortSignal,
): Promise<WrittenElement> {
  // A source that is an object of the store is copied inside S3 (copy-element.ts).
  const copies = playlist === undefined ? deps.copies : undefined;
  const source = copies?.sourceObject(upload.element.url);
  if (copies !== undefined && source !== undefined) {
    return copyElement(upload, source, bucket, metadata, { ...deps, copies }, log, signal);
  }
  const { store } = deps;
  const existed = await withRetry(
    async () => (await store.headObject(bucket, upload.key, signal)) !== undefined,
    deps.retry,
    signal,
  );
  let claim = !existed;
  // A long upload says how far it got, so a slow or stuck store shows in the log early.
  const startedAt = Date.now();
  let bytes = 0;
  const progress = setInterval(() => {
    log.info({ key: upload.key, bytes, elapsedMs: Date.now() - startedAt }, 'upload in progress');
  }, deps.progressIntervalMs ?? PROGRESS_INTERVAL_MS);
  progress.unref();
  const onProgress = (total: number): void => {
    bytes = total;
  };
  try {
    return await writeWithRetry();
  } finally {
    clearInterval(progress);
  }

  function writeWithRetry(): Promise<WrittenElement> {
    return withRetry(
      async () => {
        if (claim) {
          const stored = await writeOnce(
            upload,
            playlist,
            bucket,
            metadata,
            deps,
            signal,
            (input) => store.createObject({ ...input, onProgress }),
          );
          if (stored !== undefined) return { size: stored.size, created: true, etag: stored.etag };
          claim = false;
          log.info({ key: upload.key }, 'another run created the object first; writing over it');
        }
        const stored = await writeOnce(upload, playlist, bucket, metadata, deps, signal, (input) =>
          store.putObject({ ...input, onProgress }),
        );
        return { size: stored.size, created: false, etag: undefined };
      },
      deps.retry,
      signal,
      (err, attempt, delayMs) => {
        log.warn({ err, attempt, delayMs, key: upload.key }, 'upload failed, trying again');
      },
    );
  }
}

/** Opens the element's body (the rewritten playlist or its source) and hands it to `write`. */
async function writeOnce<T>(
  upload: ElementWrite,
  playlist: RewrittenPlaylist | undefined,
  bucket: string,
  metadata: Readonly<Record<string, string>>,
  deps: WriteDeps,
  signal: AbortSignal,
  write: (input: PutObjectInput) => Promise<T>,
): Promise<T> {
  if (playlist !== undefined) {
    const body = Buffer.from(playlist.text, 'utf8');
    return write({
      bucket,
      key: upload.key,
      body: Readable.from([body]),
      contentLength: body.length,
      contentType: upload.element.mimetype ?? 'application/x-mpegURL',
      metadata,
      signal,
    });
  }
  const source = await deps.sources.open(upload.element.url, signal);
  try {
    return await write({
      bucket,
      key: upload.key,
      body: source.body,
      contentLength: source.contentLength,
      contentType: upload.element.mimetype ?? source.contentType ?? 'application/octet-stream',
      metadata,
      signal,
    });
  } finally {
    // A failed upload may leave the source half read; release its connection or file.
    source.body.destroy();
  }
}
