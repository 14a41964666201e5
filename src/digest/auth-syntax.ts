/**
 * The lexical pieces of HTTP authentication headers (RFC 9110 §11): tokens, quoted strings,
 * optional whitespace. Shared by the strict credential parser (`auth-params.ts`) and the
 * lenient challenge parser (`challenges.ts`), so both read a value the same way.
 */

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
const WHITESPACE = /[ \t]*/y;

/** A value read from `text`, unquoted and unescaped, and the index just after it. */
export interface Lexeme {
  readonly text: string;
  readonly end: number;
}

/** The index of the first character at or after `from` that is not a space or tab. */
export function skipWhitespace(text: string, from: number): number {
  WHITESPACE.lastIndex = from;
  WHITESPACE.test(text);
  return WHITESPACE.lastIndex;
}

/** The token starting at `from`, or undefined if none starts there. */
export function readToken(text: string, from: number): string | undefined {
  TOKEN.lastIndex = from;
  return TOKEN.exec(text)?.[0];
}

/** A quoted-string starting at `from`, with backslash escapes removed; undefined if unclosed. */
export function readQuoted(text: string, from: number): Lexeme | undefined {
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

/** An auth-param value at `from`: a quoted-string or a token; undefined if neither. */
export function readValue(text: string, from: number): Lexeme | undefined {
  if (text[from] === '"') return readQuoted(text, from);
  const token = readToken(text, from);
  return token === undefined ? undefined : { text: token, end: from + token.length };
}

/** Control characters other than HTAB never belong in a header value (RFC 9110 §5.5). */
export function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}
