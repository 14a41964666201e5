/** Turns a 200 response of a source into a SourceStream. */
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { SourceStream } from '../distribution/ports.js';
import { AppError } from '../errors.js';
import type { SourceResponse } from './http-request.js';
import { destroyOnAbort, toReadError } from './source-readable.js';

/** Options of {@link httpSourceStream}. */
export interface HttpBodyOptions {
  readonly description: string;
  /** Aborted when the body is closed before its end, to free the connection. */
  readonly controller: AbortController;
  readonly idleTimeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

const DECODERS: Readonly<Record<string, () => NodeJS.ReadWriteStream>> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** The body's content coding, lower case; undefined for none (identity). */
function encodingOf(header: (name: string) => string | undefined): string | undefined {
  const encoding = header('content-encoding')?.trim().toLowerCase();
  return encoding === undefined || encoding === '' || encoding === 'identity'
    ? undefined
    : encoding;
}

/**
 * The body's length from Content-Length, unless the body is content-encoded: it is decoded
 * here, so that header is not the length of what the stream yields.
 */
export function bodyLength(header: (name: string) => string | undefined): number | undefined {
  if (encodingOf(header) !== undefined) return undefined;
  const length = header('content-length')?.trim();
  if (length === undefined || !/^\d{1,16}$/.test(length)) return undefined;
  const value = Number(length);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * Streams the response body without buffering it: the response's own Node stream, paused
 * while the consumer is full, with every failure an AppError (see toReadError), an idle
 * read timeout and the caller's signal. A body in a content coding we asked not to get
 * (the server sent it anyway) is decoded, as fetch would.
 */
export function httpSourceStream(response: SourceResponse, options: HttpBodyOptions): SourceStream {
  const encoding = encodingOf((name) => response.header(name));
  let raw: NodeJS.ReadableStream = response.body;
  if (encoding !== undefined) {
    const decoder = DECODERS[encoding];
    if (decoder === undefined) {
      response.body.destroy();
      const message = `Source ${options.description} sent a body in an unsupported content coding: ${encoding.slice(0, 40)}`;
      throw new AppError('SOURCE_UNAVAILABLE', message, { retryable: false });
    }
    const decoded = decoder();
    // The decoder's errors are the body's; the response's reach it through the pipe's end.
    response.body.on('error', (error) => decoded.emit('error', error));
    raw = response.body.pipe(decoded);
  }
  const body = new HttpBody(raw, response, options);
  destroyOnAbort(body, options.signal, options.description);
  return {
    body,
    contentLength: bodyLength((name) => response.header(name)),
    contentType: response.header('content-type'),
  };
}

/**
 * A Readable over the response stream. Chunks are pushed as they come; when the consumer
 * is full the response is paused (TCP then holds the source back). One idle timer per
 * body, re-armed with refresh(): it counts only while the consumer waits for data.
 */
class HttpBody extends Readable {
  readonly #source: NodeJS.ReadableStream;
  readonly #response: SourceResponse;
  readonly #options: HttpBodyOptions;
  #timer: NodeJS.Timeout | undefined;
  #waiting = false;
  #ended = false;

  constructor(source: NodeJS.ReadableStream, response: SourceResponse, options: HttpBodyOptions) {
    super();
    this.#source = source;
    this.#response = response;
    this.#options = options;
    source.on('data', this.#onData);
    source.once('end', this.#onEnd);
    source.once('error', this.#onError);
    // A response cut short (the server or the connection went) ends without 'end'.
    response.body.once('aborted', this.#onAborted);
    source.pause();
  }

  override _read(): void {
    this.#waiting = true;
    this.#timer ??= setTimeout(this.#onIdle, this.#options.idleTimeoutMs);
    this.#timer.refresh();
    this.#source.resume();
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#waiting = false;
    if (!this.push(chunk)) this.#source.pause();
  };

  readonly #onEnd = (): void => {
    this.#ended = true;
    clearTimeout(this.#timer);
    this.push(null);
  };

  readonly #onError = (error: unknown): void => {
    clearTimeout(this.#timer);
    if (!this.destroyed) this.destroy(toReadError(error, this.#options.description));
  };

  readonly #onAborted = (): void => {
    this.#onError(new Error('the connection closed before the body ended'));
  };

  readonly #onIdle = (): void => {
    if (!this.#waiting || this.destroyed) return;
    const { description, idleTimeoutMs } = this.#options;
    const message = `Source ${description} sent nothing for ${String(idleTimeoutMs)} ms`;
    this.destroy(new AppError('SOURCE_UNAVAILABLE', message));
  };

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.#timer);
    this.#source.removeListener('data', this.#onData);
    if (!this.#ended) {
      // Frees the connection of a body closed before its end.
      this.#options.controller.abort();
      this.#response.body.destroy();
    }
    callback(error);
  }
}
