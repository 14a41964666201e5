/**
 * Answers a 401 challenge of a source with the credentials configured for its URL, within
 * what those credentials allow: Digest by default; Basic only if enabled, and over plain
 * http only if explicitly allowed, since it sends the password itself.
 */
import { AppError } from '../errors.js';
import { answerDigestChallenges } from './digest-auth.js';
import { DEFAULT_AUTH_SCHEMES, type SourceCredential } from './source-credential.js';
import { parseWwwAuthenticate } from '../digest/challenges.js';

function refuse(description: string, reason: string): AppError {
  return new AppError('SOURCE_FORBIDDEN', `Source ${description} ${reason}`);
}

/**
 * The `Authorization` header for a GET of `url` answering `header` (the 401's
 * `WWW-Authenticate`). Digest is preferred whenever offered and answerable. Messages
 * never contain the user name or password.
 * @throws AppError SOURCE_FORBIDDEN when no credentials are configured, when the offered
 * schemes are not supported or not enabled for the credentials, or when Basic would be
 * sent over plain http without `allowBasicOverHttp`.
 */
export function answerChallenge(
  header: string | null,
  url: URL,
  credentials: SourceCredential | undefined,
  description: string,
): string {
  if (credentials === undefined) {
    throw refuse(description, 'requires credentials; none are configured');
  }
  const challenges = parseWwwAuthenticate(header ?? '');
  const offers = (scheme: string): boolean => challenges.some((c) => c.scheme === scheme);
  const schemes = credentials.schemes ?? DEFAULT_AUTH_SCHEMES;
  const allowed = schemes.join(', ');

  if (schemes.includes('digest')) {
    const digest = answerDigestChallenges(challenges, {
      username: credentials.username,
      password: credentials.password,
      method: 'GET',
      uri: `${url.pathname}${url.search}`,
    });
    if (digest !== undefined) return digest;
  }
  if (offers('basic') && schemes.includes('basic')) {
    if (url.protocol !== 'https:' && credentials.allowBasicOverHttp !== true) {
      throw refuse(
        description,
        'asks for Basic authentication over plain http; the password is not sent in clear ' +
          'text (use https, or set allowBasicOverHttp for these credentials)',
      );
    }
    const token = Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8');
    return `Basic ${token.toString('base64')}`;
  }
  if (offers('digest') && schemes.includes('digest')) {
    throw refuse(description, 'asks for a Digest variant this service does not support');
  }
  const disabled = (['digest', 'basic'] as const).filter((s) => offers(s) && !schemes.includes(s));
  if (disabled.length > 0) {
    const names = disabled.map((s) => (s === 'digest' ? 'Digest' : 'Basic')).join(' or ');
    throw refuse(
      description,
      `asks for ${names} authentication, which its credentials do not allow (schemes: ${allowed})`,
    );
  }
  throw refuse(description, 'asks for an authentication scheme this service does not support');
}
