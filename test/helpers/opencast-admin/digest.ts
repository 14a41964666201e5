/**
 * HTTP Digest (MD5) as Opencast speaks it, both ways: Spring Security's server side (realm
 * `Opencast`, `qop="auth"` offered, RFC 2069 answers accepted) and the client answers that
 * TrustedHttpClient and HttpClient send. Written here so the double shares no code with src/.
 */
import { createHash, randomBytes } from 'node:crypto';

/** Opencast's Digest realm (etc/security/mh_default_org.xml). */
export const REALM = 'Opencast';

/** Lower-case hex MD5 of a UTF-8 string. */
export const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

/** Parses `Digest k="v", k2=v2` into a map (keys lower-cased); undefined if not Digest. */
export function parseDigest(header: string | null | undefined): Map<string, string> | undefined {
  if (header === null || header === undefined) return undefined;
  const match = /^\s*Digest\s+(.*)$/is.exec(header);
  if (match === null) return undefined;
  const fields = new Map<string, string>();
  for (const part of (match[1] ?? '').matchAll(
    /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g,
  )) {
    fields.set((part[1] ?? '').toLowerCase(), part[2] ?? part[3] ?? '');
  }
  return fields;
}

/** The `response` value for the given fields: qop=auth when `qop` is set, RFC 2069 otherwise. */
export function digestResponse(
  method: string,
  password: string,
  f: {
    username: string;
    realm: string;
    nonce: string;
    uri: string;
    qop?: string;
    nc?: string;
    cnonce?: string;
  },
): string {
  const ha1 = md5(`${f.username}:${f.realm}:${password}`);
  const ha2 = md5(`${method}:${f.uri}`);
  if (f.qop === undefined) return md5(`${ha1}:${f.nonce}:${ha2}`);
  return md5(`${ha1}:${f.nonce}:${f.nc ?? ''}:${f.cnonce ?? ''}:${f.qop}:${ha2}`);
}

/** The header Apache's DigestScheme writes for a POST (RFC 2069: no qop, absolute URL as uri). */
export function rfc2069Header(
  method: string,
  uri: string,
  user: string,
  password: string,
  challenge: { realm: string; nonce: string },
): string {
  const f = { username: user, realm: challenge.realm, nonce: challenge.nonce, uri };
  const response = digestResponse(method, password, f);
  return `Digest username="${user}", realm="${f.realm}", nonce="${f.nonce}", uri="${uri}", response="${response}", algorithm=MD5`;
}

/** The header HttpClient writes for GET/HEAD after a challenge offering qop=auth (path as uri). */
export function qopAuthHeader(
  method: string,
  uri: string,
  user: string,
  password: string,
  challenge: { realm: string; nonce: string },
): string {
  const f = {
    username: user,
    realm: challenge.realm,
    nonce: challenge.nonce,
    uri,
    qop: 'auth',
    nc: '00000001',
    cnonce: randomBytes(8).toString('hex'),
  };
  const response = digestResponse(method, password, f);
  return `Digest username="${user}", realm="${f.realm}", nonce="${f.nonce}", uri="${uri}", response="${response}", qop=auth, nc=${f.nc}, cnonce="${f.cnonce}", algorithm=MD5`;
}

/** Realm and nonce from a `WWW-Authenticate: Digest …` header, if there is one. */
export function readChallenge(header: string | null): { realm: string; nonce: string } | undefined {
  const fields = parseDigest(header);
  const realm = fields?.get('realm');
  const nonce = fields?.get('nonce');
  return realm === undefined || nonce === undefined ? undefined : { realm, nonce };
}
