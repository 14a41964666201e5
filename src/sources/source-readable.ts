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
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: ChunkSource,
    private readonly options: SourceReadableOptions,
  ) {
    super();
  }

  override _read(): void {
    const { idleTimeoutMs, description } = this.options;
    if (idleTimeoutMs !== undefined) {
      this.timer = setTimeout(() => {
        const message = `Source ${description} sent nothing for ${idleTimeoutMs} ms`;
        this.destroy(new AppError('SOURCE_UNAVAILABLE', message));
      }, idleTimeoutMs);
    }
    this.readNext().then(
      (chunk) => {
        clearTimeout(this.timer);
        if (this.destroyed) return;
        this.push(chunk === undefined ? null : chunk);
      },
      (error: unknown) => {
        clearTimeout(this.timer);
        if (!this.destroyed) this.destroy(toReadError(error, description));
      },
    );
  }

  /** Skips empty chunks: pushing one would end the read without asking for more. */
  private async readNext(): Promise<Uint8Array | undefined> {
    for (;;) {
      const chunk = await this.source.read();
      if (chunk === undefined || chunk.byteLength > 0) return chunk;
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.timer);
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
  const { signal } = options;
  if (signal !== undefined) {
    const onAbort = (): void => {
      const message = `Reading source ${options.description} was aborted`;
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
  return stream;
}
