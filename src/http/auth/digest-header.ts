/** Longest `Authorization` header looked at; anything longer is refused unparsed. */
export const MAX_AUTHORIZATION_LENGTH = 4096;

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
const WHITESPACE = /[ \t]*/y;

/** The scheme of an `Authorization` header and what follows it, or undefined if malformed. */
export function splitAuthorization(
  header: string,
): { readonly scheme: string; readonly credentials: string } | undefined {
  if (header.length > MAX_AUTHORIZATION_LENGTH || hasControl(header)) return undefined;
  const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) +(\S.*)$/s.exec(header.trim());
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { scheme: match[1].toLowerCase(), credentials: match[2] };
}

/**
 * The auth-params of a Digest credential (RFC 9110 §11.2) with names lower-cased and
 * quoted-strings unescaped. Strict on purpose: a repeated name, an empty element, a missing
 * `=`, an unterminated quote or trailing junk make the whole header malformed (undefined),
 * because a lenient parser is where two implementations start to disagree.
 */
export function parseAuthParams(credentials: string): ReadonlyMap<string, string> | undefined {
  if (credentials.length > MAX_AUTHORIZATION_LENGTH || hasControl(credentials)) return undefined;
  const params = new Map<string, string>();
  let at = skip(credentials, 0);
  while (at < credentials.length) {
    const name = read(TOKEN, credentials, at);
    if (name === undefined) return undefined;
    at = skip(credentials, at + name.length);
    if (credentials[at] !== '=') return undefined;
    at = skip(credentials, at + 1);
    const value =
      credentials[at] === '"' ? readQuoted(credentials, at) : tokenValue(credentials, at);
    if (value === undefined) return undefined;
    const key = name.toLowerCase();
    if (params.has(key)) return undefined;
    params.set(key, value.text);
    at = skip(credentials, value.end);
    if (at === credentials.length) break;
    if (credentials[at] !== ',') return undefined;
    at = skip(credentials, at + 1);
    if (at === credentials.length) return undefined;
  }
  return params.size === 0 ? undefined : params;
}

/** Control characters other than HTAB never belong in a credential (RFC 9110 §5.5). */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

function skip(text: string, from: number): number {
  WHITESPACE.lastIndex = from;
  WHITESPACE.test(text);
  return WHITESPACE.lastIndex;
}

function read(pattern: RegExp, text: string, from: number): string | undefined {
  pattern.lastIndex = from;
  return pattern.exec(text)?.[0];
}

function tokenValue(text: string, from: number): { text: string; end: number } | undefined {
  const token = read(TOKEN, text, from);
  return token === undefined ? undefined : { text: token, end: from + token.length };
}

function readQuoted(text: string, from: number): { text: string; end: number } | undefined {
  let value = '';
  for (let i = from + 1; i < text.length; i++) {
    const char = text.charAt(i);
    if (char === '"') return { text: value, end: i + 1 };
    if (char === '\\') {
      i++;
      if (i === text.length) return undefined;
    }
    value += text.charAt(i);
  }
  return undefined;
}
