import { hexLength, parseAlgorithm, type DigestAlgorithm } from '../../digest/digest-hash.js';
import { parseAuthParams } from '../../digest/auth-params.js';
import type { DigestRejectReason } from './digest-verdict.js';

/** The directives of a Digest credential, checked for shape but not yet for truth. */
export interface DigestDirectives {
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  readonly response: string;
  readonly algorithm: DigestAlgorithm;
  /** Absent in the RFC 2069 form. */
  readonly qop?: { readonly nc: string; readonly count: number; readonly cnonce: string };
}

/** Which forms the server accepts: with qop, without (RFC 2069), or both. */
export type QopMode = 'auth' | 'none' | 'both';

type Read =
  | { readonly ok: true; readonly directives: DigestDirectives }
  | { readonly ok: false; readonly reason: DigestRejectReason };

const refuse = (reason: DigestRejectReason): Read => ({ ok: false, reason });

/**
 * Parses a Digest credential and checks that its directives fit together: the five required
 * ones present, a known algorithm, `qop=auth` with an 8-hex-digit non-zero `nc` and a
 * `cnonce`, or no qop and neither of them, and a response of the algorithm's length.
 */
export function readDirectives(credentials: string, mode: QopMode): Read {
  const p = parseAuthParams(credentials);
  if (p === undefined) return refuse('malformed');
  const username = p.get('username');
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  const uri = p.get('uri');
  const response = p.get('response');
  if (username === undefined || realm === undefined || nonce === undefined) {
    return refuse('malformed');
  }
  if (uri === undefined || response === undefined) return refuse('malformed');
  // `username*` (RFC 8187 encoding), `userhash` and `auth-int` are not implemented.
  if (p.has('username*') || p.get('userhash') === 'true') return refuse('unsupported');
  const algorithm = parseAlgorithm(p.get('algorithm'));
  if (algorithm === undefined) return refuse('unsupported');
  if (!new RegExp(`^[0-9a-fA-F]{${hexLength(algorithm)}}$`).test(response)) {
    return refuse('malformed');
  }
  const base = { username, realm, nonce, uri, response, algorithm };
  const [qop, nc, cnonce] = [p.get('qop'), p.get('nc'), p.get('cnonce')];
  if (qop === undefined) {
    if (mode === 'auth') return refuse('qop');
    // The -sess algorithms hash the cnonce, which only exists with qop.
    if (nc !== undefined || cnonce !== undefined || algorithm.endsWith('-sess')) {
      return refuse('malformed');
    }
    return { ok: true, directives: base };
  }
  if (qop !== 'auth') return refuse('unsupported');
  if (mode === 'none') return refuse('qop');
  if (nc === undefined || !/^[0-9a-fA-F]{8}$/.test(nc)) return refuse('malformed');
  if (cnonce === undefined || cnonce === '' || cnonce.length > 256) return refuse('malformed');
  const count = parseInt(nc, 16);
  if (count === 0) return refuse('malformed');
  return { ok: true, directives: { ...base, qop: { nc, count, cnonce } } };
}
