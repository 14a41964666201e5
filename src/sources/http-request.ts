/**
 * One GET of a source with a time limit on the response headers. Redirects are not
 * followed here (the caller re-checks each target against the allow-list).
 */
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

/** Drops a response body that is not read, so the connection is released. */
export async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
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
): Promise<Response> {
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
    return await fetch(url.href, {
      method: 'GET',
      redirect: 'manual',
      headers,
      signal: state.signal,
    });
  } catch (error) {
    if (callerSignal?.aborted === true) {
      const message = `Fetching source ${description} was aborted`;
      throw new AppError('SOURCE_UNAVAILABLE', message, { cause: callerSignal.reason });
    }
    if (isAppError(error)) throw error;
    const detail = errorDetail(error);
    throw new AppError('SOURCE_UNAVAILABLE', `Source ${description} cannot be reached: ${detail}`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}
