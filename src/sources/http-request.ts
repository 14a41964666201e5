/**
 * One GET of a source with a time limit on the response headers, over `node:http(s)`: the
 * body arrives as a Node stream, with none of fetch's web-stream layers in between (the
 * body of a large element passes through here chunk by chunk). Redirects are not followed
 * here (the caller re-checks each target against the allow-list).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AppError, isAppError } from '../errors.js';
import { errorDetail } from './error-detail.js';
import type { SourceSettings } from './source-settings.js';

const USER_AGENT = 'opencast-s3-distribution';

/** State shared by the requests of one open(). */
export interface FetchState {
  readonly settings: SourceSettings;
  readonly description: string;
  /** Aborts every request and the body: on failure, timeout or when the body is closed. */
  readonly controller: AbortController;
  readonly signal: AbortSignal;
  readonly callerSignal: AbortSignal | undefined;
}

/** A source's answer: status, headers and the body as it came (not yet decoded). */
export interface SourceResponse {
  readonly status: number;
  /** A header's value; repeated headers joined with ", " as fetch does. */
  header(name: string): string | undefined;
  readonly body: IncomingMessage;
}

/** Drops a response body that is not read, so the connection is freed. */
export function discard(response: SourceResponse): Promise<void> {
  response.body.destroy();
  return Promise.resolve();
}

/**
 * Sends a GET. The connect timeout covers the time until the headers arrive.
 * @throws AppError SOURCE_UNAVAILABLE on timeout, abort or network failure.
 */
export async function send(
  state: FetchState,
  url: URL,
  authorization?: string,
  extraHeaders?: Readonly<Record<string, string>>,
): Promise<SourceResponse> {
  const { settings, description, controller, callerSignal } = state;
  // Not AbortSignal.timeout(): that could not be cleared and would cut long bodies.
  const timer = setTimeout(() => {
    const message = `Source ${description} did not answer within ${settings.connectTimeoutMs} ms`;
    controller.abort(new AppError('SOURCE_UNAVAILABLE', message));
  }, settings.connectTimeoutMs);
  const headers: Record<string, string> = {
    ...extraHeaders,
    'accept-encoding': 'identity',
    'user-agent': USER_AGENT,
  };
  if (authorization !== undefined) headers.authorization = authorization;
  try {
    const body = await get(url, headers, state.signal);
    return {
      status: body.statusCode ?? 0,
      header: (name) => {
        const value = body.headers[name.toLowerCase()];
        return Array.isArray(value) ? value.join(', ') : value;
      },
      body,
    };
  } catch (error) {
    if (callerSignal?.aborted === true) {
      const message = `Fetching source ${description} was aborted`;
      throw new AppError('SOURCE_UNAVAILABLE', message, { cause: callerSignal.reason });
    }
    // The connect timeout aborts with its own AppError; node reports an AbortError.
    const reason: unknown = controller.signal.reason;
    if (controller.signal.aborted && isAppError(reason)) throw reason;
    if (isAppError(error)) throw error;
    const detail = errorDetail(error);
    throw new AppError('SOURCE_UNAVAILABLE', `Source ${description} cannot be reached: ${detail}`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once the response headers are in. */
function get(
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, signal }, resolve);
    req.once('error', reject);
    req.end();
  });
}
