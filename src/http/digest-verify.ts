import { randomBytes } from 'node:crypto';
import { digestResponse, hexLength, parseAlgorithm, sameDigest } from './digest-hash.js';
import { parseAuthParams } from './digest-header.js';
import type { NonceCodec } from './digest-nonce.js';
import type { NonceUseTracker } from './digest-replay.js';

/** Why a credential was refused; for logs and metrics, never sent to the client. */
export type DigestRejectReason =
  | 'missing'
  | 'malformed'
  | 'scheme'
  | 'unsupported'
  | 'realm'
  | 'qop'
  | 'uri'
  | 'nonce'
  | 'credentials'
  | 'expired'
  | 'replayed'
  | 'forgotten';

/** The outcome of checking one credential. `stale` asks the client for a new nonce only. */
export type Verdict =
  | { readonly ok: true; readonly user: string }
  | { readonly ok: false; readonly reason: DigestRejectReason; readonly stale?: boolean };

/** Looks a user's password up; undefined for an unknown user. */
export type PasswordLookup = (username: string) => string | undefined | Promise<string | undefined>;

/** What {@link verifyDigest} needs besides the request. */
export interface VerifyDeps {
  readonly realm: string;
  readonly qop: 'auth' | 'none' | 'both';
  readonly lookup: PasswordLookup;
  readonly nonces: NonceCodec;
  readonly uses: NonceUseTracker;
  readonly now: number;
}

/** The request being authenticated: method and the absolute URL it was received on. */
export interface DigestRequest {
  readonly method: string;
  readonly url: string;
}

// An unknown user is checked against this, so it costs the same as a wrong password.
const decoy = randomBytes(24).toString('base64');

/** Checks the credentials of an `Authorization: Digest` header against the request. */
export async function verifyDigest(
  credentials: string,
  request: DigestRequest,
  deps: VerifyDeps,
): Promise<Verdict> {
  const p = parseAuthParams(credentials);
  if (p === undefined) return { ok: false, reason: 'malformed' };
  const [username, realm, nonce, uri, response] = [
    p.get('username'),
    p.get('realm'),
    p.get('nonce'),
    p.get('uri'),
    p.get('response'),
  ];
  if (username === undefined || realm === undefined || nonce === undefined) {
    return { ok: false, reason: 'malformed' };
  }
  if (uri === undefined || response === undefined) return { ok: false, reason: 'malformed' };
  // `username*` (RFC 8187 encoding), `userhash` and `auth-int` are not implemented.
  if (p.has('username*') || p.get('userhash') === 'true') {
    return { ok: false, reason: 'unsupported' };
  }
  if (realm !== deps.realm) return { ok: false, reason: 'realm' };
  const algorithm = parseAlgorithm(p.get('algorithm'));
  if (algorithm === undefined) return { ok: false, reason: 'unsupported' };
  const qop = p.get('qop');
  const nc = p.get('nc');
  const cnonce = p.get('cnonce');
  let count: number | undefined;
  if (qop === undefined) {
    if (deps.qop === 'auth') return { ok: false, reason: 'qop' };
    if (nc !== undefined || cnonce !== undefined || algorithm.endsWith('-sess')) {
      return { ok: false, reason: 'malformed' };
    }
  } else {
    if (qop !== 'auth') return { ok: false, reason: 'unsupported' };
    if (deps.qop === 'none') return { ok: false, reason: 'qop' };
    if (nc === undefined || !/^[0-9a-fA-F]{8}$/.test(nc) || cnonce === undefined) {
      return { ok: false, reason: 'malformed' };
    }
    count = parseInt(nc, 16);
    if (count === 0 || cnonce === '' || cnonce.length > 256) {
      return { ok: false, reason: 'malformed' };
    }
  }
  if (!new RegExp(`^[0-9a-fA-F]{${hexLength(algorithm)}}$`).test(response)) {
    return { ok: false, reason: 'malformed' };
  }
  if (!sameResource(uri, request.url)) return { ok: false, reason: 'uri' };
  const issued = deps.nonces.check(nonce, deps.now);
  if (!issued.valid) return { ok: false, reason: 'nonce' };

  // Header bytes arrive as latin1 code units; read the name as the UTF-8 it was sent in.
  const user = Buffer.from(username, 'latin1').toString('utf8');
  const password = await deps.lookup(user);
  const expected = digestResponse({
    algorithm,
    username: user,
    realm,
    password: password ?? decoy,
    method: request.method,
    uri,
    nonce,
    ...(cnonce === undefined ? {} : { cnonce }),
    ...(nc === undefined ? {} : { qop: { qop: 'auth', nc } }),
  });
  const matches = sameDigest(expected, response);
  if (password === undefined || !matches) return { ok: false, reason: 'credentials' };
  // Checked only now, so that `stale` is said to a client whose credentials are right.
  if (issued.expired) return { ok: false, reason: 'expired', stale: true };
  const use = deps.uses.use(nonce, issued.issuedAt, count, deps.now);
  if (use !== 'fresh') return { ok: false, reason: use, stale: true };
  return { ok: true, user };
}

/**
 * Whether the digest `uri` names the request's resource. Apache's DigestScheme, as Opencast
 * calls it, sends the absolute URI (`http://host:8080/distribution/s3/`); other clients send
 * the path. Only path and query are compared: behind a proxy the host may legitimately differ.
 */
export function sameResource(digestUri: string, requestUrl: string): boolean {
  if (!digestUri.startsWith('/') && !/^https?:\/\//i.test(digestUri)) return false;
  if (digestUri.startsWith('//')) return false;
  try {
    const claimed = new URL(digestUri, 'http://digest.invalid');
    const actual = new URL(requestUrl);
    return claimed.pathname + claimed.search === actual.pathname + actual.search;
  } catch {
    return false;
  }
}
