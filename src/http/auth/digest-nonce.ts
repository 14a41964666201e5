import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The result of checking a nonce this process (or a peer with the same secret) issued. */
export type NonceCheck =
  | { readonly valid: false }
  | { readonly valid: true; readonly issuedAt: number; readonly expired: boolean };

/** Issues and checks stateless nonces: nothing is stored between challenge and answer. */
export interface NonceCodec {
  issue(now: number): string;
  check(nonce: string, now: number): NonceCheck;
}

// Layout: 8 bytes issue time (ms, big-endian), 12 random bytes, 16 bytes truncated HMAC.
const TIME = 8;
const SIGNED = TIME + 12;
const TOTAL = SIGNED + 16;
// 36 bytes encode to exactly 48 base64url characters, with no padding bits to vary.
const SHAPE = /^[A-Za-z0-9_-]{48}$/;
// Peers sharing a secret may disagree a little about the time.
const ALLOWED_SKEW_MS = 30_000;

/**
 * Nonces of the form `base64url(time | random | HMAC-SHA256(secret, time | random | realm))`.
 * The signature makes them unforgeable and the realm binds them to this realm; the time lets
 * the age be checked without server state, so any node holding the same secret can check a
 * nonce another node issued (which a load-balanced deployment needs).
 */
export function createNonceCodec(secret: Buffer, realm: string, ttlMs: number): NonceCodec {
  const sign = (signed: Buffer): Buffer =>
    createHmac('sha256', secret).update(signed).update(realm, 'utf8').digest().subarray(0, 16);
  return {
    issue(now) {
      const signed = Buffer.alloc(SIGNED);
      signed.writeBigUInt64BE(BigInt(Math.max(0, Math.trunc(now))));
      randomBytes(SIGNED - TIME).copy(signed, TIME);
      return Buffer.concat([signed, sign(signed)]).toString('base64url');
    },
    check(nonce, now) {
      if (!SHAPE.test(nonce)) return { valid: false };
      const bytes = Buffer.from(nonce, 'base64url');
      if (bytes.length !== TOTAL) return { valid: false };
      const signed = bytes.subarray(0, SIGNED);
      if (!timingSafeEqual(sign(signed), bytes.subarray(SIGNED))) return { valid: false };
      const issuedAt = Number(signed.readBigUInt64BE());
      if (issuedAt - now > ALLOWED_SKEW_MS) return { valid: false };
      return { valid: true, issuedAt, expired: now - issuedAt > ttlMs };
    },
  };
}
