import { randomBytes } from 'node:crypto';
import { readDirectives, type QopMode } from './digest-directives.js';
import { digestResponse, sameDigest } from '../../digest/digest-hash.js';
import type { NonceCodec } from './digest-nonce.js';
import type { NonceUseTracker } from './digest-replay.js';
import type { PasswordLookup, Verdict } from './digest-verdict.js';

/** What {@link verifyDigest} needs besides the request. */
export interface VerifyDeps {
  readonly realm: string;
  readonly qop: QopMode;
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

/**
 * Checks the credentials of an `Authorization: Digest` header against the request, cheapest
 * checks first. Replays are looked for last, so that only a correct credential is recorded.
 */
export async function verifyDigest(
  credentials: string,
  request: DigestRequest,
  deps: VerifyDeps,
): Promise<Verdict> {
  const read = readDirectives(credentials, deps.qop);
  if (!read.ok) return read;
  const d = read.directives;
  if (d.realm !== deps.realm) return { ok: false, reason: 'realm' };
  if (!sameResource(d.uri, request.url)) return { ok: false, reason: 'uri' };
  const issued = deps.nonces.check(d.nonce, deps.now);
  if (!issued.valid) return { ok: false, reason: 'nonce' };

  // Header bytes arrive as latin1 code units; read the name as the UTF-8 it was sent in.
  const user = Buffer.from(d.username, 'latin1').toString('utf8');
  const password = await deps.lookup(user);
  const expected = digestResponse({
    algorithm: d.algorithm,
    username: user,
    realm: d.realm,
    password: password ?? decoy,
    method: request.method,
    uri: d.uri,
    nonce: d.nonce,
    ...(d.qop === undefined ? {} : { cnonce: d.qop.cnonce, qop: { qop: 'auth', nc: d.qop.nc } }),
  });
  const matches = sameDigest(expected, d.response);
  if (password === undefined || !matches) return { ok: false, reason: 'credentials' };
  // Checked only now, so that `stale` is said to a client whose credentials are right.
  if (issued.expired) return { ok: false, reason: 'expired', stale: true };
  const use = deps.uses.use(d.nonce, issued.issuedAt, d.qop?.count, deps.now);
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
