import { ServerResponse } from 'node:http';
import type { Context } from 'hono';

/**
 * The reason phrase Opencast's TrustedHttpClientImpl looks for, byte for byte, before it
 * retries a POST with a new nonce (Spring's NonceExpiredException message).
 */
export const NONCE_EXPIRED_REASON = 'Nonce has expired/timed out';

/** What goes into one 401 answer. */
export interface Challenge {
  readonly realm: string;
  readonly nonce: string;
  readonly offerQop: boolean;
  readonly stale: boolean;
  readonly basic: boolean;
  /** A reason phrase other than `Unauthorized`. */
  readonly reason?: string;
}

/**
 * A 401 with a fresh challenge. The Digest challenge comes first and starts with `realm`,
 * in Spring's order: Opencast's client reads only the first `WWW-Authenticate` header and
 * finds the realm as the header element named `Digest realm`.
 */
export function unauthorized(c: Context, challenge: Challenge): Response {
  const parts = [`Digest realm="${challenge.realm}"`];
  if (challenge.offerQop) parts.push('qop="auth"');
  parts.push(`nonce="${challenge.nonce}"`);
  if (challenge.stale) parts.push('stale=true');
  const headers = new Headers({
    'Content-Type': 'text/plain; charset=UTF-8',
    'Cache-Control': 'no-store',
    'WWW-Authenticate': parts.join(', '),
  });
  if (challenge.basic) {
    headers.append('WWW-Authenticate', `Basic realm="${challenge.realm}", charset="UTF-8"`);
  }
  const reason = challenge.reason ?? 'Unauthorized';
  setNodeReasonPhrase(c, reason);
  return new Response(`${reason}\n`, { status: 401, statusText: reason, headers });
}

/**
 * `@hono/node-server` drops `Response.statusText`: it calls `writeHead(status, headers)`
 * without a reason. Node then keeps a `statusMessage` set beforehand, so set it on the raw
 * response it passes as `c.env.outgoing`. HTTP/2 has no reason phrases; nothing to do there.
 */
function setNodeReasonPhrase(c: Context, reason: string): void {
  const env: unknown = c.env;
  if (typeof env !== 'object' || env === null || !('outgoing' in env)) return;
  const { outgoing } = env;
  if (outgoing instanceof ServerResponse && !outgoing.headersSent) {
    outgoing.statusMessage = reason;
  }
}
