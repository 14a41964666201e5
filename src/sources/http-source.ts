/**
 * Opens an http(s) source: GET with manual redirects (each target re-checked against the
 * allow-list), one answer to a Digest (or, if enabled, Basic) challenge, and a body
 * streamed with an idle read timeout.
 */
import type { SourceStream } from '../distribution/ports.js';
import { AppError } from '../errors.js';
import { checkSourceUrl } from './allow-list.js';
import { describeUrl } from './describe-url.js';
import { httpSourceStream } from './http-body.js';
import { findCredentials } from './find-credentials.js';
import { answerChallenge } from './http-auth.js';
import { discard, send, type FetchState, type SourceResponse } from './http-request.js';
import { errorForStatus, REDIRECT_STATUSES } from './http-status.js';
import { DEFAULT_AUTH_SCHEMES } from './source-credential.js';
import type { SourceSettings } from './source-settings.js';
import { isHttpUrl } from './url-prefix.js';

const DIGEST_REQUESTED = { 'x-requested-auth': 'Digest' } as const;

function redirectTarget(location: string | null, from: URL, state: FetchState): URL {
  const { description, settings } = state;
  if (location === null || !URL.canParse(location, from.href)) {
    const message = `Source ${description} redirects without a valid Location`;
    throw new AppError('SOURCE_UNAVAILABLE', message, { retryable: false });
  }
  const target = new URL(location, from).href;
  const decision = checkSourceUrl(target, settings);
  if (!decision.allowed || !isHttpUrl(decision.route.url)) {
    const reason = decision.allowed ? 'only http(s) redirects are followed' : decision.reason;
    const message = `Source ${description} redirects to ${describeUrl(target)}: ${reason}`;
    throw new AppError('SOURCE_FORBIDDEN', message);
  }
  return decision.route.url;
}

/** GET with at most one authenticated retry; a second 401 means wrong credentials. */
async function authenticatedGet(state: FetchState, url: URL): Promise<SourceResponse> {
  const credentials = findCredentials(url, state.settings);
  // Opencast's security answers a request without this header with a redirect to its login
  // page instead of a Digest challenge (as TrustedHttpClient knows); only where we hold
  // credentials, so other servers see nothing of Opencast.
  const digest = (credentials?.schemes ?? DEFAULT_AUTH_SCHEMES).includes('digest');
  const extra = credentials !== undefined && digest ? DIGEST_REQUESTED : undefined;
  const response = await send(state, url, undefined, extra);
  if (response.status !== 401) return response;
  const header = response.header('www-authenticate') ?? null;
  await discard(response);
  const retried = await send(
    state,
    url,
    answerChallenge(header, url, credentials, state.description),
    extra,
  );
  if (retried.status !== 401) return retried;
  await discard(retried);
  throw new AppError('SOURCE_FORBIDDEN', `Source ${state.description} rejected the credentials`);
}

/**
 * Opens an allowed http(s) URL.
 * @throws AppError SOURCE_FORBIDDEN, SOURCE_NOT_FOUND or SOURCE_UNAVAILABLE.
 */
export async function openHttpSource(
  start: URL,
  settings: SourceSettings,
  callerSignal?: AbortSignal,
): Promise<SourceStream> {
  const controller = new AbortController();
  // The caller's abort reaches the requests through the controller while open() runs (a
  // listener costs less than AbortSignal.any per source); the body listens on its own.
  const forward = (): void => {
    controller.abort(callerSignal?.reason);
  };
  callerSignal?.addEventListener('abort', forward, { once: true });
  const state: FetchState = {
    settings,
    description: describeUrl(start.href),
    controller,
    signal: controller.signal,
    callerSignal,
  };
  try {
    let url = start;
    for (let redirects = 0; ; redirects++) {
      const response = await authenticatedGet(state, url);
      if (response.status === 200) {
        return httpSourceStream(response, {
          description: state.description,
          controller,
          idleTimeoutMs: settings.readTimeoutMs,
          signal: callerSignal,
        });
      }
      if (!REDIRECT_STATUSES.has(response.status)) {
        await discard(response);
        throw errorForStatus(response.status, state.description);
      }
      const location = response.header('location') ?? null;
      await discard(response);
      if (redirects >= settings.maxRedirects) {
        const message = `Source ${state.description} redirects more than ${settings.maxRedirects} times`;
        throw new AppError('SOURCE_UNAVAILABLE', message, { retryable: false });
      }
      url = redirectTarget(location, url, state);
    }
  } catch (error) {
    controller.abort();
    throw error;
  } finally {
    callerSignal?.removeEventListener('abort', forward);
  }
}
