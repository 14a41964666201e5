import { hasControl, readToken, readValue, skipWhitespace } from './auth-syntax.js';

/** Longest `Authorization` header looked at; anything longer is refused unparsed. */
export const MAX_AUTHORIZATION_LENGTH = 4096;

/**
 * The auth-params of a Digest credential (RFC 9110 §11.2) with names lower-cased and
 * quoted-strings unescaped. Strict on purpose: a repeated name, an empty element, a missing
 * `=`, an unterminated quote or trailing junk make the whole header malformed (undefined),
 * because a lenient parser is where two implementations start to disagree.
 */
export function parseAuthParams(credentials: string): ReadonlyMap<string, string> | undefined {
  if (credentials.length > MAX_AUTHORIZATION_LENGTH || hasControl(credentials)) return undefined;
  const params = new Map<string, string>();
  let at = skipWhitespace(credentials, 0);
  while (at < credentials.length) {
    const name = readToken(credentials, at);
    if (name === undefined) return undefined;
    at = skipWhitespace(credentials, at + name.length);
    if (credentials[at] !== '=') return undefined;
    at = skipWhitespace(credentials, at + 1);
    const value = readValue(credentials, at);
    if (value === undefined) return undefined;
    const key = name.toLowerCase();
    if (params.has(key)) return undefined;
    params.set(key, value.text);
    at = skipWhitespace(credentials, value.end);
    if (at === credentials.length) break;
    if (credentials[at] !== ',') return undefined;
    at = skipWhitespace(credentials, at + 1);
    if (at === credentials.length) return undefined;
  }
  return params.size === 0 ? undefined : params;
}
