/** Parser for `WWW-Authenticate` headers (RFC 9110 §11.6.1). Pure. */

/** One challenge: its scheme and param names in lower case, param values unquoted. */
export interface AuthChallenge {
  readonly scheme: string;
  readonly params: ReadonlyMap<string, string>;
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*/y;
const SPACE = /[ \t]*/y;
const SEPARATORS = /[ \t,]*/y;

/** Most challenges read from one header; more is hostile and ignored. */
const MAX_CHALLENGES = 16;

class Scanner {
  position = 0;

  constructor(private readonly text: string) {}

  get atEnd(): boolean {
    return this.position >= this.text.length;
  }

  peek(): string | undefined {
    return this.text[this.position];
  }

  match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.position;
    const found = pattern.exec(this.text)?.[0];
    if (found !== undefined) this.position += found.length;
    return found;
  }

  /** A quoted-string with backslash escapes, unquoted; undefined if absent or unclosed. */
  quoted(): string | undefined {
    if (this.peek() !== '"') return undefined;
    let value = '';
    for (let i = this.position + 1; i < this.text.length; i++) {
      let char = this.text[i];
      if (char === '"') {
        this.position = i + 1;
        return value;
      }
      if (char === '\\') char = this.text[++i];
      value += char ?? '';
    }
    return undefined;
  }
}

/** Skips a token68 (`Negotiate abc==`), which carries nothing this client uses. */
function skipToken68(scanner: Scanner): void {
  const start = scanner.position;
  if (scanner.match(TOKEN68) !== undefined) {
    scanner.match(SPACE);
    if (scanner.atEnd || scanner.peek() === ',') return;
  }
  scanner.position = start;
}

/**
 * Parses the challenges of a header value (several headers joined with `, ` included).
 * Parsing stops at the first malformed part; the challenges read until then are returned.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: { scheme: string; params: Map<string, string> }[] = [];
  const scanner = new Scanner(header);
  for (;;) {
    scanner.match(SEPARATORS);
    const name = scanner.match(TOKEN);
    if (name === undefined) break;
    const afterName = scanner.position;
    scanner.match(SPACE);
    if (scanner.peek() !== '=') {
      if (challenges.length === MAX_CHALLENGES) break;
      scanner.position = afterName;
      challenges.push({ scheme: name.toLowerCase(), params: new Map() });
      scanner.match(SPACE);
      skipToken68(scanner);
      continue;
    }
    const current = challenges.at(-1);
    if (current === undefined) break;
    scanner.position++;
    scanner.match(SPACE);
    const value = scanner.quoted() ?? scanner.match(TOKEN);
    if (value === undefined) break;
    current.params.set(name.toLowerCase(), value);
  }
  return challenges;
}
