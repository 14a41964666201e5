/**
 * A Node Readable over a pull-based chunk source (an HTTP body reader or a file handle)
 * that turns every failure into an AppError, gives up after an idle read timeout and
 * stops when a signal aborts. It reads only when the consumer asks for more, so memory
 * stays bounded by the stream's high-water mark plus one chunk.
 */
import { Readable } from 'node:stream';
import { AppError, isAppError } from '../errors.js';
import { errorDetail } from './error-detail.js';

/** Something that hands out the chunks of one source, in order. */
export interface ChunkSource {
  /** Resolves the next chunk, or undefined at the end. */
  read(): Promise<Uint8Array | undefined>;
  /** Releases the underlying resource. Called once, after the end or on destroy. */
  close(): Promise<void>;
}

/** Options of {@link createSourceReadable}. */
export interface SourceReadableOptions {
  /** Describes the source in error messages (already quoted, see describeUrl). */
  readonly description: string;
  /** Longest wait for one chunk; no limit when undefined. */
  readonly idleTimeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Wraps any failure of a started read as a retryable SOURCE_UNAVAILABLE AppError. */
export function toReadError(error: unknown, description: string): AppError {
  if (isAppError(error)) return error;
  const detail = errorDetail(error);
  return new AppError('SOURCE_UNAVAILABLE', `Reading source ${description} failed: ${detail}`, {
    cause: error,
  });
}

class SourceReadable extends Readable {
  // One timer per stream, re-armed with refresh() when a read starts: no timer is created
  // or cleared per chunk. It fires harmlessly while no read waits (the consumer is slow).
  private timer: NodeJS.Timeout | undefined;
  /** Whether a read of the source is under way, i.e. the idle timeout applies. */
  private waiting = false;

  constructor(
    private readonly source: ChunkSource,
    private readonly options: SourceReadableOptions,
  ) {
    super();
  }

  override _read(): void {
    this.waiting = true;
    const { idleTimeoutMs } = this.options;
    if (idleTimeoutMs !== undefined) {
      if (this.timer === undefined) this.timer = setTimeout(this.onIdle, idleTimeoutMs);
      else this.timer.refresh();
    }
    this.source.read().then(this.onChunk, this.onError);
  }

  // Arrow properties: bound once per stream, not per chunk.
  private readonly onChunk = (chunk: Uint8Array | undefined): void => {
    if (this.destroyed) return;
    if (chunk === undefined) {
      this.stopTimer();
      this.push(null);
    } else if (chunk.byteLength === 0) {
      // Pushing an empty chunk would end the read without asking for more.
      this.source.read().then(this.onChunk, this.onError);
    } else {
      this.waiting = false;
      this.push(chunk);
    }
  };

  private readonly onError = (error: unknown): void => {
    this.stopTimer();
    if (!this.destroyed) this.destroy(toReadError(error, this.options.description));
  };

  private readonly onIdle = (): void => {
    if (!this.waiting || this.destroyed) return;
    const message = `Source ${this.options.description} sent nothing for ${String(this.options.idleTimeoutMs)} ms`;
    this.destroy(new AppError('SOURCE_UNAVAILABLE', message));
  };

  private stopTimer(): void {
    this.waiting = false;
    clearTimeout(this.timer);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.stopTimer();
    const done = (): void => {
      callback(error);
    };
    this.source.close().then(done, done);
  }
}

/**
 * Creates the Readable. When `signal` aborts, the stream is destroyed with a
 * SOURCE_UNAVAILABLE error whose cause is the abort reason.
 */
export function createSourceReadable(
  source: ChunkSource,
  options: SourceReadableOptions,
): Readable {
  const stream = new SourceReadable(source, options);
  destroyOnAbort(stream, options.signal, options.description);
  return stream;
}

/**
 * Destroys `stream` with a SOURCE_UNAVAILABLE error (cause: the abort reason) when
 * `signal` aborts, until the stream closes.
 */
export function destroyOnAbort(
  stream: Readable,
  signal: AbortSignal | undefined,
  description: string,
): void {
  if (signal === undefined) return;
  const onAbort = (): void => {
    const message = `Reading source ${description} was aborted`;
    stream.destroy(new AppError('SOURCE_UNAVAILABLE', message, { cause: signal.reason }));
  };
  if (signal.aborted) onAbort();
  else {
    signal.addEventListener('abort', onAbort, { once: true });
    stream.once('close', () => {
      signal.removeEventListener('abort', onAbort);
    });
  }
}
