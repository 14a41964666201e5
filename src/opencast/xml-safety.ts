import { Buffer } from 'node:buffer';
import { AppError } from '../errors.js';
import { checkReference, INVALID_XML_CHAR } from './xml-entities.js';
import type { XmlLimits } from './xml-limits.js';

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const DQUOTE = 0x22;
const SQUOTE = 0x27;

const XML_DECLARATION =
  /^<\?xml\s+version\s*=\s*(["'])1\.\d+\1(?:\s+encoding\s*=\s*(["'])[A-Za-z][\w.-]*\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\3)?\s*\?>/;
const DECLARATION_KEYWORDS = new Set(['ENTITY', 'ELEMENT', 'ATTLIST', 'NOTATION']);

/**
 * Refuses, before any parser sees it, a document that is too large, too deep or uses a
 * construct this service never accepts (DOCTYPE and thus entity declarations, entity
 * references other than the predefined ones, processing instructions). One linear pass
 * with no recursion, so a hostile nesting depth costs nothing but the scan.
 */
export function assertXmlSafe(xml: string, limits: XmlLimits): void {
  assertXmlSize(xml, limits.maxBytes);
  if (xml.trim() === '') throw new AppError('XML_MALFORMED', 'The XML document is empty');
  const invalid = INVALID_XML_CHAR.exec(xml);
  if (invalid) {
    const code = invalid[0].codePointAt(0) ?? 0;
    throw new AppError(
      'XML_MALFORMED',
      `Character U+${code.toString(16).toUpperCase().padStart(4, '0')} at offset ${invalid.index} is not allowed in XML`,
    );
  }
  scanMarkup(xml, limits.maxDepth);
}

/** Refuses a text longer than `maxBytes` UTF-8 bytes with XML_TOO_LARGE. */
export function assertXmlSize(xml: string, maxBytes: number): void {
  // A UTF-16 code unit takes one to three UTF-8 bytes: count bytes only when it matters.
  const tooLarge =
    xml.length > maxBytes ||
    (xml.length * 3 > maxBytes && Buffer.byteLength(xml, 'utf8') > maxBytes);
  if (tooLarge) {
    throw new AppError('XML_TOO_LARGE', `The XML document is larger than ${maxBytes} bytes`);
  }
}

function scanMarkup(xml: string, maxDepth: number): void {
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (xml.startsWith('<?xml', i) && /[\s?]/.test(xml.charAt(i + 5))) {
    const declaration = XML_DECLARATION.exec(xml.slice(i, i + 256));
    if (!declaration) throw new AppError('XML_MALFORMED', 'Malformed XML declaration');
    i += declaration[0].length;
  }
  let depth = 0;
  let rootSeen = false;
  while (i < xml.length) {
    const c = xml.charCodeAt(i);
    if (c !== LT) {
      if (depth === 0 && !isXmlSpace(c)) {
        throw new AppError('XML_MALFORMED', `Text outside the root element at offset ${i}`);
      }
      if (c === AMP) i = checkReference(xml, i);
      else if (c === GT && xml.startsWith(']]>', i - 2)) {
        throw new AppError('XML_MALFORMED', `']]>' is not allowed in text (offset ${i - 2})`);
      }
      i++;
      continue;
    }
    const next = xml.charCodeAt(i + 1);
    if (next === QUESTION) {
      const target = /^<\?([^\s?]*)/.exec(xml.slice(i, i + 64))?.[1] ?? '';
      if (target.toLowerCase() === 'xml') {
        throw new AppError('XML_MALFORMED', `The XML declaration must come first (offset ${i})`);
      }
      throw new AppError(
        'XML_FORBIDDEN',
        `Processing instruction <?${target}?> at offset ${i} is not allowed`,
      );
    } else if (next === BANG) {
      i = skipBangMarkup(xml, i);
    } else if (next === SLASH) {
      const end = xml.indexOf('>', i);
      if (end === -1) throw new AppError('XML_MALFORMED', `Unclosed end tag at offset ${i}`);
      depth--;
      i = end + 1;
    } else {
      if (depth === 0 && rootSeen) {
        throw new AppError('XML_MALFORMED', `A second root element at offset ${i}`);
      }
      rootSeen = true;
      const end = scanStartTag(xml, i);
      if (xml.charCodeAt(end - 1) !== SLASH && ++depth > maxDepth) {
        throw new AppError(
          'XML_TOO_DEEP',
          `The XML document nests elements deeper than ${maxDepth} levels`,
        );
      }
      i = end + 1;
    }
  }
}

function isXmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Skips a comment or CDATA section; refuses DOCTYPE and other markup declarations. */
function skipBangMarkup(xml: string, i: number): number {
  if (xml.startsWith('<!--', i)) {
    const end = xml.indexOf('-->', i + 4);
    if (end === -1) throw new AppError('XML_MALFORMED', `Unclosed comment at offset ${i}`);
    if (xml.indexOf('--', i + 4) !== end) {
      throw new AppError('XML_MALFORMED', `'--' inside the comment at offset ${i}`);
    }
    return end + 3;
  }
  if (xml.startsWith('<![CDATA[', i)) {
    const end = xml.indexOf(']]>', i + 9);
    if (end === -1) throw new AppError('XML_MALFORMED', `Unclosed CDATA section at offset ${i}`);
    return end + 3;
  }
  const keyword = /^<!([A-Za-z]+)/.exec(xml.slice(i, i + 16))?.[1] ?? '';
  if (keyword.toUpperCase() === 'DOCTYPE') {
    throw new AppError(
      'XML_FORBIDDEN',
      'DOCTYPE is not allowed (no DTDs, so no entity declarations or external entities)',
    );
  }
  if (DECLARATION_KEYWORDS.has(keyword.toUpperCase())) {
    throw new AppError('XML_FORBIDDEN', `<!${keyword}> markup declarations are not allowed`);
  }
  throw new AppError('XML_MALFORMED', `Unexpected '<!' at offset ${i}`);
}

/** Returns the index of the `>` that ends the start tag at `i`, checking attribute values. */
function scanStartTag(xml: string, i: number): number {
  let quote = 0;
  for (let j = i + 1; j < xml.length; j++) {
    const c = xml.charCodeAt(j);
    if (quote !== 0) {
      if (c === quote) quote = 0;
      else if (c === LT) {
        throw new AppError('XML_MALFORMED', `'<' inside an attribute value at offset ${j}`);
      } else if (c === AMP) j = checkReference(xml, j);
    } else if (c === DQUOTE || c === SQUOTE) {
      quote = c;
    } else if (c === GT) {
      return j;
    } else if (c === LT) {
      break;
    }
  }
  throw new AppError('XML_MALFORMED', `Unclosed start tag at offset ${i}`);
}
