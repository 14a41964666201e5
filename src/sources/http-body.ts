/** Turns a 200 response of a source into a SourceStream. */
import type { SourceStream } from '../distribution/ports.js';
import { createSourceReadable } from './source-readable.js';

/** Options of {@link httpSourceStream}. */
export interface HttpBodyOptions {
  readonly description: string;
  /** Aborted when the body is closed before its end, to free the connection. */
  readonly controller: AbortController;
  readonly idleTimeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * The body's length from Content-Length, unless the body is content-encoded: fetch
 * decodes it, so that header is not the length of what the stream yields.
 */
export function bodyLength(headers: Headers): number | undefined {
  const encoding = headers.get('content-encoding')?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') return undefined;
  const length = headers.get('content-length')?.trim();
  if (length === undefined || !/^\d{1,16}$/.test(length)) return undefined;
  const value = Number(length);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Streams the response body without buffering it; see createSourceReadable. */
export function httpSourceStream(response: Response, options: HttpBodyOptions): SourceStream {
  const reader = response.body?.getReader();
  let finished = reader === undefined;
  const chunkOf = (result: {
    readonly done: boolean;
    readonly value?: unknown;
  }): Uint8Array | undefined => {
    if (result.done) {
      finished = true;
      return undefined;
    }
    // undici types the body as ReadableStream<any>; it yields Uint8Arrays.
    const chunk: unknown = result.value;
    if (!(chunk instanceof Uint8Array)) throw new TypeError('body chunk is not bytes');
    return chunk;
  };
  const body = createSourceReadable(
    {
      read() {
        if (reader === undefined) return Promise.resolve(undefined);
        // One promise per chunk (the reader's), not one more for an async wrapper.
        return reader.read().then(chunkOf);
      },
      async close() {
        if (finished) return;
        options.controller.abort();
        await reader?.cancel().catch(() => undefined);
      },
    },
    {
      description: options.description,
      idleTimeoutMs: options.idleTimeoutMs,
      signal: options.signal,
    },
  );
  return {
    body,
    contentLength: bodyLength(response.headers),
    contentType: response.headers.get('content-type') ?? undefined,
  };
}
