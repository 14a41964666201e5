/**
 * Nonces the way Spring's DigestAuthenticationEntryPoint makes them: base64 of
 * `expiry:md5(expiry:key)`, valid 300 s, so the double can tell forged from expired ones.
 */
import { md5 } from './digest.js';

const KEY = 'opencast';

/** A fresh nonce valid for `validitySeconds`. */
export function newNonce(validitySeconds = 300, now = Date.now()): string {
  const expiry = now + validitySeconds * 1000;
  return Buffer.from(`${expiry}:${md5(`${expiry}:${KEY}`)}`).toString('base64');
}

/** `ok`, `expired` (Spring then answers stale=true) or `invalid`. */
export function checkNonce(nonce: string, now = Date.now()): 'ok' | 'expired' | 'invalid' {
  const [expiry, signature] = Buffer.from(nonce, 'base64').toString('utf8').split(':');
  if (expiry === undefined || signature !== md5(`${expiry}:${KEY}`)) return 'invalid';
  return Number(expiry) < now ? 'expired' : 'ok';
}
