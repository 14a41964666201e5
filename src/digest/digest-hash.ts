import { createHash, timingSafeEqual } from 'node:crypto';

/** The Digest algorithms accepted (RFC 7616 §3.3); MD5 is what Opencast's client uses. */
export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

// A Map, not an object literal: a name like `constructor` must not find a prototype member.
const algorithms = new Map<string, DigestAlgorithm>([
  ['md5', 'MD5'],
  ['md5-sess', 'MD5-sess'],
  ['sha-256', 'SHA-256'],
  ['sha-256-sess', 'SHA-256-sess'],
]);

/** The algorithm a client names (case-insensitive), MD5 when it names none, else undefined. */
export function parseAlgorithm(value: string | undefined): DigestAlgorithm | undefined {
  return value === undefined ? 'MD5' : algorithms.get(value.toLowerCase());
}

/** Length in hex digits of a response computed with the algorithm. */
export function hexLength(algorithm: DigestAlgorithm): number {
  return algorithm.startsWith('MD5') ? 32 : 64;
}

/** What a Digest response is computed from. `qop` absent means the RFC 2069 form. */
export interface DigestResponseInput {
  readonly algorithm: DigestAlgorithm;
  readonly username: string;
  readonly realm: string;
  readonly password: string;
  readonly method: string;
  readonly uri: string;
  readonly nonce: string;
  /** Required by the `-sess` algorithms and by `qop`. */
  readonly cnonce?: string;
  readonly qop?: { readonly qop: 'auth'; readonly nc: string };
}

/**
 * The expected `response` directive, lower-case hex (RFC 7616 §3.4.1, RFC 2617 §3.2.2.1):
 * `KD(H(A1), nonce:nc:cnonce:qop:H(A2))`, or `KD(H(A1), nonce:H(A2))` without qop. Strings
 * are hashed as UTF-8, the charset RFC 7616 names; for ASCII credentials every client agrees.
 */
export function digestResponse(input: DigestResponseInput): string {
  const hash = input.algorithm.startsWith('MD5') ? md5 : sha256;
  let ha1 = hash(`${input.username}:${input.realm}:${input.password}`);
  if (input.algorithm.endsWith('-sess')) {
    ha1 = hash(`${ha1}:${input.nonce}:${input.cnonce ?? ''}`);
  }
  const ha2 = hash(`${input.method}:${input.uri}`);
  if (input.qop === undefined) return hash(`${ha1}:${input.nonce}:${ha2}`);
  const { nc, qop } = input.qop;
  return hash(`${ha1}:${input.nonce}:${nc}:${input.cnonce ?? ''}:${qop}:${ha2}`);
}

/** Compares two hex digests in time independent of where they differ. */
export function sameDigest(expected: string, given: string): boolean {
  const a = Buffer.from(expected.toLowerCase(), 'latin1');
  const b = Buffer.from(given.toLowerCase(), 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
