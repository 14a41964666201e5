/** Answers a 401 challenge of a source with the credentials configured for its URL. */
import { AppError } from '../errors.js';
import { createDigestAuthorization } from './digest-auth.js';
import type { SourceSettings } from './source-settings.js';
import { parseUrlPrefix, pathAfterPrefix } from './url-prefix.js';
import { parseWwwAuthenticate } from './www-authenticate.js';

/** A user name and password for one source. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** The credentials of the longest configured prefix that covers `url`, if any. */
export function findCredentials(url: URL, settings: SourceSettings): Credentials | undefined {
  let best: { readonly length: number; readonly credentials: Credentials } | undefined;
  for (const entry of settings.credentials) {
    const prefix = parseUrlPrefix(entry.urlPrefix);
    if (prefix === undefined || pathAfterPrefix(url, prefix) === undefined) continue;
    if (best === undefined || prefix.path.length > best.length) {
      best = { length: prefix.path.length, credentials: entry };
    }
  }
  return best?.credentials;
}

/**
 * The `Authorization` header for a GET of `url` answering `header` (the 401's
 * `WWW-Authenticate`). Digest is preferred to Basic when both are offered.
 * @throws AppError SOURCE_FORBIDDEN when no credentials are configured or no offered
 * scheme is supported.
 */
export function answerChallenge(
  header: string | null,
  url: URL,
  credentials: Credentials | undefined,
  description: string,
): string {
  if (credentials === undefined) {
    throw new AppError(
      'SOURCE_FORBIDDEN',
      `Source ${description} requires credentials; none are configured`,
    );
  }
  const challenges = parseWwwAuthenticate(header ?? '');
  const digest = challenges.find((challenge) => challenge.scheme === 'digest');
  if (digest !== undefined) {
    const authorization = createDigestAuthorization({
      challenge: digest.params,
      username: credentials.username,
      password: credentials.password,
      method: 'GET',
      uri: `${url.pathname}${url.search}`,
    });
    if (authorization !== undefined) return authorization;
  }
  if (challenges.some((challenge) => challenge.scheme === 'basic')) {
    const token = Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8');
    return `Basic ${token.toString('base64')}`;
  }
  throw new AppError(
    'SOURCE_FORBIDDEN',
    `Source ${description} asks for an authentication scheme this service does not support`,
  );
}
