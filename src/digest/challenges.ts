/** Parser for `WWW-Authenticate` headers (RFC 9110 §11.6.1). Pure. */
import { readToken, readValue, skipWhitespace } from './auth-syntax.js';

/** One challenge: its scheme and param names in lower case, param values unquoted. */
export interface AuthChallenge {
  readonly scheme: string;
  readonly params: ReadonlyMap<string, string>;
}

const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*/y;
const SEPARATORS = /[ \t,]*/y;

/** Most challenges read from one header; more is hostile and ignored. */
const MAX_CHALLENGES = 16;

function skipSeparators(text: string, from: number): number {
  SEPARATORS.lastIndex = from;
  SEPARATORS.test(text);
  return SEPARATORS.lastIndex;
}

/** Skips a token68 (`Negotiate abc==`), which carries nothing this client uses. */
function skipToken68(text: string, from: number): number {
  TOKEN68.lastIndex = from;
  const found = TOKEN68.exec(text)?.[0];
  if (found === undefined) return from;
  const after = skipWhitespace(text, from + found.length);
  // Otherwise it was the name of the challenge's first auth-param (`realm=`).
  return after === text.length || text[after] === ',' ? after : from;
}

/**
 * Parses the challenges of a header value (several headers joined with `, ` included).
 * Lenient, unlike the credential parser: parsing stops at the first malformed part and the
 * challenges read until then are returned.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: { scheme: string; params: Map<string, string> }[] = [];
  let at = 0;
  for (;;) {
    at = skipSeparators(header, at);
    const name = readToken(header, at);
    if (name === undefined) break;
    const afterName = skipWhitespace(header, at + name.length);
    if (header[afterName] !== '=') {
      if (challenges.length === MAX_CHALLENGES) break;
      challenges.push({ scheme: name.toLowerCase(), params: new Map() });
      at = skipToken68(header, afterName);
      continue;
    }
    const current = challenges.at(-1);
    if (current === undefined) break;
    const value = readValue(header, skipWhitespace(header, afterName + 1));
    if (value === undefined) break;
    current.params.set(name.toLowerCase(), value.text);
    at = value.end;
  }
  return challenges;
}
