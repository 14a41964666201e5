/**
 * Client side of HTTP Digest authentication: RFC 2617 / RFC 7616 with `qop=auth` and the
 * older RFC 2069 form without qop, for MD5, SHA-256 and their `-sess` variants. The hashing
 * and the header parsing are the server's (`src/digest/`); this module only chooses what to
 * answer and writes the header. Pure except for the random client nonce.
 */
import { randomBytes } from 'node:crypto';
import { parseWwwAuthenticate, type AuthChallenge } from '../digest/challenges.js';
import { digestResponse, parseAlgorithm } from '../digest/digest-hash.js';

/** What one Digest `Authorization` header is computed from. */
export interface DigestInput {
  /** The params of the server's Digest challenge (lower-case names). */
  readonly challenge: ReadonlyMap<string, string>;
  readonly username: string;
  readonly password: string;
  /** Any method: `GET` for sources, `POST`/`PUT` for calls to Opencast's service registry. */
  readonly method: string;
  /** The request target as the server will compare it: usually path and query. */
  readonly uri: string;
  /** Fixed client nonce, for tests; random otherwise. */
  readonly cnonce?: string | undefined;
}

const NONCE_COUNT = '00000001';
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * The value of the `Authorization` header answering a Digest challenge, or undefined when
 * the challenge has no nonce or asks for an algorithm or qop this client does not support
 * (only `auth-int` offered, `SHA-512-256`, ...) or sends control characters.
 */
export function createDigestAuthorization(input: DigestInput): string | undefined {
  const { challenge, username, password, method, uri } = input;
  if ([...challenge.values()].some((value) => CONTROL_CHARS.test(value))) return undefined;
  const nonce = challenge.get('nonce');
  const realm = challenge.get('realm') ?? '';
  const named = challenge.get('algorithm');
  const algorithm = parseAlgorithm(named);
  const offered = challenge
    .get('qop')
    ?.split(',')
    .map((q) => q.trim().toLowerCase());
  if (nonce === undefined || algorithm === undefined || offered?.includes('auth') === false) {
    return undefined;
  }
  const qop = offered === undefined ? undefined : 'auth';
  const session = algorithm.endsWith('-sess');
  const cnonce = input.cnonce ?? randomBytes(16).toString('hex');
  const response = digestResponse({
    algorithm,
    username,
    realm,
    password,
    method,
    uri,
    nonce,
    cnonce,
    ...(qop === undefined ? {} : { qop: { qop, nc: NONCE_COUNT } }),
  });

  const parts = [
    `username=${quote(username)}`,
    `realm=${quote(realm)}`,
    `nonce=${quote(nonce)}`,
    `uri=${quote(uri)}`,
    `response="${response}"`,
  ];
  // The server's own spelling of the algorithm goes back, as RFC 7616 asks.
  if (named !== undefined) parts.push(`algorithm=${named}`);
  const opaque = challenge.get('opaque');
  if (opaque !== undefined) parts.push(`opaque=${quote(opaque)}`);
  if (qop !== undefined) parts.push(`qop=${qop}`, `nc=${NONCE_COUNT}`, `cnonce=${quote(cnonce)}`);
  else if (session) parts.push(`cnonce=${quote(cnonce)}`);
  return `Digest ${parts.join(', ')}`;
}

/** Who answers a challenge, and for which request. */
export type DigestAnswer = Omit<DigestInput, 'challenge'>;

/**
 * The `Authorization` header answering the first Digest challenge among `challenges` that
 * this client supports (a server may offer several), or undefined if there is none.
 */
export function answerDigestChallenges(
  challenges: readonly AuthChallenge[],
  answer: DigestAnswer,
): string | undefined {
  for (const { scheme, params } of challenges) {
    if (scheme !== 'digest') continue;
    const authorization = createDigestAuthorization({ ...answer, challenge: params });
    if (authorization !== undefined) return authorization;
  }
  return undefined;
}

/**
 * The `Authorization` header answering a 401's `WWW-Authenticate` header for any method and
 * uri, e.g. a POST to Opencast's service registry after its `X-Requested-Auth: Digest`
 * probe; undefined when the header offers no Digest challenge this client supports.
 */
export function answerDigestHeader(
  wwwAuthenticate: string | null,
  answer: DigestAnswer,
): string | undefined {
  return answerDigestChallenges(parseWwwAuthenticate(wwwAuthenticate ?? ''), answer);
}
