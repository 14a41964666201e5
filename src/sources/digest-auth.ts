/**
 * Client side of HTTP Digest authentication: RFC 2617 / RFC 7616 with `qop=auth` and the
 * older RFC 2069 form without qop, for MD5, SHA-256 and their `-sess` variants. Pure
 * except for the random client nonce.
 */
import { createHash, randomBytes } from 'node:crypto';

/** What one Digest `Authorization` header is computed from. */
export interface DigestInput {
  /** The params of the server's Digest challenge (lower-case names). */
  readonly challenge: ReadonlyMap<string, string>;
  readonly username: string;
  readonly password: string;
  readonly method: string;
  /** The request target: path and query. */
  readonly uri: string;
  /** Fixed client nonce, for tests; random otherwise. */
  readonly cnonce?: string | undefined;
}

const HASHES: Readonly<Record<string, string>> = { MD5: 'md5', 'SHA-256': 'sha256' };
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
  const algorithm = challenge.get('algorithm');
  const name = (algorithm ?? 'MD5').toUpperCase();
  const session = name.endsWith('-SESS');
  const hash = HASHES[session ? name.slice(0, -'-SESS'.length) : name];
  const offered = challenge
    .get('qop')
    ?.split(',')
    .map((q) => q.trim().toLowerCase());
  if (nonce === undefined || hash === undefined || offered?.includes('auth') === false) {
    return undefined;
  }
  const qop = offered === undefined ? undefined : 'auth';
  const cnonce = input.cnonce ?? randomBytes(16).toString('hex');
  const h = (value: string): string => createHash(hash).update(value, 'utf8').digest('hex');

  let ha1 = h(`${username}:${realm}:${password}`);
  if (session) ha1 = h(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = h(`${method}:${uri}`);
  const response =
    qop === undefined
      ? h(`${ha1}:${nonce}:${ha2}`)
      : h(`${ha1}:${nonce}:${NONCE_COUNT}:${cnonce}:${qop}:${ha2}`);

  const parts = [
    `username=${quote(username)}`,
    `realm=${quote(realm)}`,
    `nonce=${quote(nonce)}`,
    `uri=${quote(uri)}`,
    `response="${response}"`,
  ];
  if (algorithm !== undefined) parts.push(`algorithm=${algorithm}`);
  const opaque = challenge.get('opaque');
  if (opaque !== undefined) parts.push(`opaque=${quote(opaque)}`);
  if (qop !== undefined) parts.push(`qop=${qop}`, `nc=${NONCE_COUNT}`, `cnonce=${quote(cnonce)}`);
  else if (session) parts.push(`cnonce=${quote(cnonce)}`);
  return `Digest ${parts.join(', ')}`;
}
