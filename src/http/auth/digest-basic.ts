import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PasswordLookup, Verdict } from './digest-verdict.js';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const decoy = randomBytes(24).toString('base64');

/**
 * Checks `Authorization: Basic` credentials (RFC 7617), the opt-in for tools such as curl.
 * Passwords are compared as SHA-256 digests so the comparison has a fixed length and takes
 * the same time for an unknown user. Basic sends the password itself: use it over TLS only.
 */
export async function verifyBasic(credentials: string, lookup: PasswordLookup): Promise<Verdict> {
  const encoded = credentials.trim();
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) {
    return { ok: false, reason: 'malformed' };
  }
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { ok: false, reason: 'malformed' };
  const user = decoded.slice(0, colon);
  const password = await lookup(user);
  const matches = timingSafeEqual(digest(password ?? decoy), digest(decoded.slice(colon + 1)));
  return password !== undefined && matches
    ? { ok: true, user }
    : { ok: false, reason: 'credentials' };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
