import { randomBytes } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../../errors.js';
import { verifyBasic } from './digest-basic.js';
import { NONCE_EXPIRED_REASON, unauthorized } from './digest-challenge.js';
import { splitAuthorization } from './digest-header.js';
import { createNonceCodec } from './digest-nonce.js';
import { NonceUseTracker } from './digest-replay.js';
import type { QopMode } from './digest-directives.js';
import type { DigestRejectReason, PasswordLookup, Verdict } from './digest-verdict.js';
import { verifyDigest } from './digest-verify.js';

/** The context variables the middleware sets: `c.get('user')` is the authenticated name. */
export interface DigestAuthEnv {
  Variables: { user: string };
}

/** Options of {@link digestAuth}; only `users` is required. */
export interface DigestAuthOptions {
  /** Username to password, or a lookup that answers undefined for an unknown user. */
  readonly users: ReadonlyMap<string, string> | PasswordLookup;
  /** Default `Opencast`, the realm of Opencast's own nodes. */
  readonly realm?: string;
  /** How long a nonce is good for; default 300 000 ms, as Opencast. */
  readonly nonceTtlMs?: number;
  /**
   * HMAC key of the stateless nonces, at least 16 bytes. Default: random per process, which
   * is only right for a single process; nodes behind one load balancer need the same secret,
   * since Opencast's probe and its real request may reach different nodes.
   */
  readonly secret?: Buffer;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly clock?: () => number;
  /**
   * `both` (default): offer `qop="auth"` and also accept the RFC 2069 form without qop, which
   * Opencast's POSTs use. `auth`: require qop (breaks Opencast's POSTs). `none`: RFC 2069 only.
   */
  readonly qop?: QopMode;
  /** Requests that pass without credentials, e.g. health checks. */
  readonly exempt?: (c: Context) => boolean;
  /** Also accept `Authorization: Basic` (for curl users); default false. */
  readonly allowBasic?: boolean;
  /** Nonces remembered for replay detection; default 10 000. */
  readonly maxTrackedNonces?: number;
  /** Called on every refusal, e.g. to log it; the client only ever sees a challenge. */
  readonly onReject?: (reason: DigestRejectReason, c: Context) => void;
}

const QUOTABLE = /^[\x20\x21\x23-\x5b\x5d-\x7e]{1,128}$/;

/**
 * HTTP Digest authentication as Opencast's nodes speak it (docs/opencast-wire-spec.md §4.5). A request
 * without credentials, such as Opencast's body-less probe, gets a 401 challenge before any
 * other work; a valid credential sets `c.get('user')`; anything else, however malformed,
 * gets a 401 with a fresh challenge, `stale=true` when only the nonce needs renewing.
 */
export function digestAuth(options: DigestAuthOptions): MiddlewareHandler<DigestAuthEnv> {
  const realm = options.realm ?? 'Opencast';
  const ttlMs = options.nonceTtlMs ?? 300_000;
  const secret = options.secret ?? randomBytes(32);
  const capacity = options.maxTrackedNonces ?? 10_000;
  // Config mistakes surface at start-up, not as 401s.
  if (!QUOTABLE.test(realm)) throw new AppError('INVALID_INPUT', 'Digest realm must be plain text');
  if (!(ttlMs > 0) || !(capacity > 0)) {
    throw new AppError('INVALID_INPUT', 'Digest nonce TTL and tracked nonces must be positive');
  }
  if (secret.length < 16) throw new AppError('INVALID_INPUT', 'Digest secret must be 16+ bytes');
  const clock = options.clock ?? Date.now;
  const qop = options.qop ?? 'both';
  const { users } = options;
  const lookup: PasswordLookup = typeof users === 'function' ? users : (name) => users.get(name);
  const nonces = createNonceCodec(secret, realm, ttlMs);
  const uses = new NonceUseTracker(capacity, ttlMs);

  const refuse = (c: Context, reason: DigestRejectReason, stale = false): Response => {
    options.onReject?.(reason, c);
    return unauthorized(c, {
      realm,
      nonce: nonces.issue(clock()),
      offerQop: qop !== 'none',
      stale,
      basic: options.allowBasic === true,
      // Opencast retries a POST only on this exact phrase; a forgotten nonce is as good as old.
      ...(reason === 'expired' || reason === 'forgotten' ? { reason: NONCE_EXPIRED_REASON } : {}),
    });
  };

  return async (c, next) => {
    if (options.exempt?.(c) === true) return next();
    const header = c.req.header('Authorization');
    if (header === undefined || header === '') return refuse(c, 'missing');
    const parts = splitAuthorization(header);
    let verdict: Verdict;
    if (parts?.scheme === 'digest') {
      const request = { method: c.req.method, url: c.req.url };
      const deps = { realm, qop, lookup, nonces, uses, now: clock() };
      verdict = await verifyDigest(parts.credentials, request, deps);
    } else if (parts?.scheme === 'basic' && options.allowBasic === true) {
      verdict = await verifyBasic(parts.credentials, lookup);
    } else {
      verdict = { ok: false, reason: parts === undefined ? 'malformed' : 'scheme' };
    }
    if (!verdict.ok) return refuse(c, verdict.reason, verdict.stale);
    c.set('user', verdict.user);
    return next();
  };
}

/** The name {@link digestAuth} authenticated, or undefined on an exempt or unguarded route. */
export function authenticatedUser(c: Context): string | undefined {
  const user: unknown = c.get('user');
  return typeof user === 'string' ? user : undefined;
}
