import { AppError } from '../errors.js';

/** The five entities every XML parser knows without a DTD. */
const PREDEFINED: ReadonlyMap<string, string> = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

/** A reference is short; anything longer than this before a `;` is not one. */
const MAX_REFERENCE_LENGTH = 32;
const NAME = /^[A-Za-z_:\u00C0-\uFFFD][\w.:\-\u00B7\u00C0-\uFFFD]*$/u;
const REFERENCE = /&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);/g;

/** Matches the first character that XML 1.0 cannot represent at all, not even escaped. */
export const INVALID_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Whether a code point is a legal XML 1.0 `Char`. */
export function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

/**
 * Checks the reference that starts with the `&` at `index` and returns the index of its `;`.
 * Only the five predefined entities and character references are allowed: any other named
 * entity would need a DTD, which is refused.
 */
export function checkReference(xml: string, index: number): number {
  const end = xml.indexOf(';', index + 1);
  if (end === -1 || end - index > MAX_REFERENCE_LENGTH) {
    throw new AppError('XML_MALFORMED', `Bare '&' at offset ${index}: write it as &amp;`);
  }
  const body = xml.slice(index + 1, end);
  if (body.startsWith('#')) {
    const hex = body.startsWith('#x');
    const digits = body.slice(hex ? 2 : 1);
    const valid = hex ? /^[0-9A-Fa-f]{1,8}$/.test(digits) : /^[0-9]{1,10}$/.test(digits);
    if (!valid || !isXmlChar(Number.parseInt(digits, hex ? 16 : 10))) {
      throw new AppError(
        'XML_MALFORMED',
        `Invalid character reference &${body}; at offset ${index}`,
      );
    }
    return end;
  }
  if (PREDEFINED.has(body)) return end;
  if (NAME.test(body)) {
    throw new AppError(
      'XML_FORBIDDEN',
      `Entity reference &${body}; at offset ${index} is not allowed: only &lt; &gt; &amp; &quot; &apos; and character references are`,
    );
  }
  throw new AppError('XML_MALFORMED', `Bare '&' at offset ${index}: write it as &amp;`);
}

/**
 * Replaces the predefined entities and character references in one pass, so that a decoded
 * `&` is never decoded again (`&amp;lt;` becomes `&lt;`). Input must have passed
 * {@link checkReference} for every `&`.
 */
export function decodeXmlEntities(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(REFERENCE, (_match, body: string) => {
    if (body.startsWith('#x')) return String.fromCodePoint(Number.parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(Number.parseInt(body.slice(1), 10));
    return PREDEFINED.get(body) ?? '';
  });
}
