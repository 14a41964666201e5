import type { Logger } from './logger.js';
import { Readable } from 'node:stream';
import type { RewrittenPlaylist } from '../opencast/hls.js';
import { copyElement, type ElementCopies } from './copy-element.js';
import type { MediaPackageElement } from '../opencast/model.js';
import type { ObjectStore, PutObjectInput, SourceFetcher } from './ports.js';
import { withRetry, type RetryPolicy } from './retry.js';
import type { ByteBudget } from './byte-budget.js';

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
  /** The worker's memory budget; each upload waits for its share once its length is known. */
  readonly budget?: ByteBudget | undefined;
  /** Server-side copy of sources that are objects of the store; undefined: none. */
  readonly copies?: ElementCopies | undefined;
}

/** Default interval of the "upload in progress" log line. */
export const PROGRESS_INTERVAL_MS = 30_000;

/**
 * Writes one element, tagged with `metadata`, and says whether this run created it. A key
 * counts as created when the write, sent with `If-None-Match: *`, was not refused (412:
 * another run created it first; it is then written over without being claimed). Where the
 * store ignores that condition, or the body is large enough that a refusal would come only
 * after all of it was sent, the key is first checked with a HEAD, right before the write
 * (the source is open by then, so its length is known) rather than in a round up front, so
 * a concurrent run has little time to write first. Transient failures are tried again.
 * `onBytes` is told the bytes written so far, with the body's declared length when it has one.
 */
export async function writeElement(
  upload: ElementWrite,
  playlist: RewrittenPlaylist | undefined,
  bucket: string,
  metadata: Readonly<Record<string, string>>,
  deps: WriteDeps,
  log: Logger,
  signal: AbortSignal,
  onBytes?: (bytes: number, length: number | undefined) => void,
): Promise<WrittenElement> {
  // A source that is an object of the store is copied inside S3 (copy-element.ts).
  const copies = playlist === undefined ? deps.copies : undefined;
  const source = copies?.sourceObject(upload.element.url);
  if (copies !== undefined && source !== undefined) {
    return copyElement(upload, source, bucket, metadata, { ...deps, copies }, log, signal);
  }
  const { store } = deps;
  // undefined until the first attempt has opened its body and decided.
  let claim: boolean | undefined;
  // A long upload says how far it got, so a slow or stuck store shows in the log early.
  const startedAt = Date.now();
  let bytes = 0;
  const progress = setInterval(() => {
    log.info({ key: upload.key, bytes, elapsedMs: Date.now() - startedAt }, 'upload in progress');
  }, deps.progressIntervalMs ?? PROGRESS_INTERVAL_MS);
  progress.unref();
  try {
    return await withRetry(
      async () => {
        const written = await writeOnce(upload, playlist, bucket, metadata, deps, signal, write);
        if (written !== undefined) return written;
        claim = false;
        log.info({ key: upload.key }, 'another run created the object first; writing over it');
        // The refused write spent the body: the source is opened again.
        const over = await writeOnce(upload, playlist, bucket, metadata, deps, signal, write);
        if (over === undefined) throw new Error('an unclaimed write cannot be refused');
        return over;
      },
      deps.retry,
      signal,
      (err, attempt, delayMs) => {
        log.warn({ err, attempt, delayMs, key: upload.key }, 'upload failed, trying again');
      },
    );
  } finally {
    clearInterval(progress);
  }

  /** One write of an opened body; undefined when the store refused the create (412). */
  async function write(input: PutObjectInput): Promise<WrittenElement | undefined> {
    claim ??= !(await existed(input.contentLength));
    const memory = store.uploadMemory?.(input.contentLength) ?? 0;
    const onProgress = (total: number): void => {
      bytes = total;
      onBytes?.(total, input.contentLength);
    };
    const release = await deps.budget?.acquire(memory, signal);
    try {
      if (!claim) {
        const stored = await store.putObject({ ...input, onProgress });
        return { size: stored.size, created: false, etag: undefined };
      }
      const stored = await store.createObject({ ...input, onProgress });
      return stored && { size: stored.size, created: true, etag: stored.etag };
    } finally {
      release?.();
    }
  }

  /** Whether a HEAD finds the key taken, where the store's refusal cannot tell alone. */
  async function existed(contentLength: number | undefined): Promise<boolean> {
    const check = (await store.mustCheckBeforeCreate?.(bucket, contentLength, signal)) ?? true;
    return check && (await store.headObject(bucket, upload.key, signal)) !== undefined;
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
  // Until the store pipes it, nothing listens: an abort meanwhile (the HEAD, the wait for
  // memory) destroys the body with an error that would otherwise crash the process. The
  // store's pipeline still sees that error.
  source.body.on('error', ignore);
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

function ignore(): void {
  // The error reaches whoever consumes the stream; see writeOnce.
}
