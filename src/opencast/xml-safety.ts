import { Buffer } from 'node:buffer';
import { AppError } from '../errors.js';
import { checkReference, decodeXmlEntities, INVALID_XML_CHAR } from './xml-entities.js';
import type { XmlLimits } from './xml-limits.js';

const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const EQUALS = 0x3d;

const XML_DECLARATION =
  /^<\?xml\s+version\s*=\s*(["'])1\.\d+\1(?:\s+encoding\s*=\s*(["'])[A-Za-z][\w.-]*\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\3)?\s*\?>/;
const DECLARATION_KEYWORDS = new Set(['ENTITY', 'ELEMENT', 'ATTLIST', 'NOTATION']);
// XML 1.0 (fifth edition) Name; sticky, so it matches exactly at `lastIndex`.
const NAME_START =
  ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D' +
  '\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
// The ranges include combining marks on purpose (XML's NameChar); with the u flag a class
// matches code points, so nothing combines.
const NAME = new RegExp(
  // eslint-disable-next-line no-misleading-character-class -- see above
  `[${NAME_START}][${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040]*`,
  'uy',
);
const ATTRIBUTE_SPACE = /[\t\n]/g;

/** An element as written, before namespaces are resolved: qualified names, decoded values. */
export interface RawElement {
  readonly qname: string;
  /** Qualified name and value (references decoded, whitespace normalised), in order. */
  readonly attributes: (readonly [qname: string, value: string])[];
  /** Child elements and text; adjacent text and CDATA are one string, comments vanish. */
  readonly children: (RawElement | string)[];
}

/**
 * Reads untrusted XML in one linear pass with no recursion, refusing, before anything
 * grows: a document that is too large (XML_TOO_LARGE), too deep (XML_TOO_DEEP), uses a
 * construct this service never accepts (DOCTYPE and thus entity declarations, entity
 * references other than the predefined ones, processing instructions: XML_FORBIDDEN) or is
 * not well-formed (XML_MALFORMED). The same pass builds the element tree, so a request's XML
 * is read once: checked first and parsed again, it cost three passes (issue 9).
 */
export function readRawXml(xml: string, limits: XmlLimits): RawElement {
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
  // End-of-line handling (XML 1.0 §2.11) before anything else, as a parser must.
  return new Reader(xml.includes('\r') ? xml.replace(/\r\n?/g, '\n') : xml, limits.maxDepth).read();
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

/** Whether `c` may be in an XML name (at its start: `first`), for ASCII characters. */
function isAsciiNameChar(c: number, first: boolean): boolean {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a) {
    return true;
  }
  return !first && ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e);
}

function malformed(message: string): AppError {
  return new AppError('XML_MALFORMED', message);
}

class Reader {
  readonly #open: RawElement[] = [];
  #root: RawElement | undefined;
  /** Text of the innermost open element since its last child element. */
  #text = '';
  #i = 0;

  constructor(
    private readonly xml: string,
    private readonly maxDepth: number,
  ) {}

  read(): RawElement {
    const { xml } = this;
    this.#i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
    if (xml.startsWith('<?xml', this.#i) && /[\s?]/.test(xml.charAt(this.#i + 5))) {
      const declaration = XML_DECLARATION.exec(xml.slice(this.#i, this.#i + 256));
      if (!declaration) throw malformed('Malformed XML declaration');
      this.#i += declaration[0].length;
    }
    while (this.#i < xml.length) {
      const lt = xml.indexOf('<', this.#i);
      const end = lt === -1 ? xml.length : lt;
      if (end > this.#i) this.#readText(end);
      if (lt === -1) break;
      const next = xml.charCodeAt(lt + 1);
      if (next === QUESTION) this.#refuseInstruction(lt);
      else if (next === BANG) this.#i = this.#readBangMarkup(lt);
      else if (next === SLASH) this.#i = this.#readEndTag(lt);
      else this.#i = this.#readStartTag(lt);
    }
    const unclosed = this.#open.at(-1);
    if (unclosed !== undefined) throw malformed(`Unclosed element <${unclosed.qname}>`);
    if (this.#root === undefined) throw malformed('The XML document has no root element');
    return this.#root;
  }

  #readText(end: number): void {
    const { xml } = this;
    const start = this.#i;
    if (this.#open.length === 0) {
      for (let i = start; i < end; i++) {
        const c = xml.charCodeAt(i);
        if (c !== 0x20 && c !== 0x09 && c !== 0x0a) {
          throw malformed(`Text outside the root element at offset ${i}`);
        }
      }
      return;
    }
    const text = xml.slice(start, end);
    const cdataEnd = text.indexOf(']]>');
    if (cdataEnd !== -1) {
      throw malformed(`']]>' is not allowed in text (offset ${start + cdataEnd})`);
    }
    // Searched in the slice: searching the document would scan to its end for every text.
    for (let amp = text.indexOf('&'); amp !== -1; amp = text.indexOf('&', amp + 1)) {
      checkReference(xml, start + amp);
    }
    this.#text += decodeXmlEntities(text);
  }

  #refuseInstruction(i: number): never {
    const target = /^<\?([^\s?]*)/.exec(this.xml.slice(i, i + 64))?.[1] ?? '';
    if (target.toLowerCase() === 'xml') {
      throw malformed(`The XML declaration must come first (offset ${i})`);
    }
    throw new AppError(
      'XML_FORBIDDEN',
      `Processing instruction <?${target}?> at offset ${i} is not allowed`,
    );
  }

  /** A comment or CDATA section; refuses DOCTYPE and other markup declarations. */
  #readBangMarkup(i: number): number {
    const { xml } = this;
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end === -1) throw malformed(`Unclosed comment at offset ${i}`);
      if (xml.indexOf('--', i + 4) !== end) {
        throw malformed(`'--' inside the comment at offset ${i}`);
      }
      return end + 3;
    }
    if (xml.startsWith('<![CDATA[', i)) {
      if (this.#open.length === 0) throw malformed(`CDATA outside the root element at offset ${i}`);
      const end = xml.indexOf(']]>', i + 9);
      if (end === -1) throw malformed(`Unclosed CDATA section at offset ${i}`);
      this.#text += xml.slice(i + 9, end);
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
    throw malformed(`Unexpected '<!' at offset ${i}`);
  }

  #readEndTag(i: number): number {
    const qname = this.#name(i + 2, 'end tag');
    const gt = this.#skipSpace(i + 2 + qname.length);
    if (this.xml.charCodeAt(gt) !== GT)
      throw malformed(`Malformed end tag </${qname}> at offset ${i}`);
    const element = this.#open.pop();
    if (element === undefined)
      throw malformed(`End tag </${qname}> without a start tag at offset ${i}`);
    if (element.qname !== qname) {
      throw malformed(`End tag </${qname}> at offset ${i} does not close <${element.qname}>`);
    }
    this.#flushText(element);
    return gt + 1;
  }

  #readStartTag(i: number): number {
    const { xml } = this;
    const parent = this.#open.at(-1);
    if (parent === undefined && this.#root !== undefined) {
      throw malformed(`A second root element at offset ${i}`);
    }
    const qname = this.#name(i + 1, 'start tag');
    const attributes: (readonly [string, string])[] = [];
    let j = i + 1 + qname.length;
    let selfClosing = false;
    for (;;) {
      const afterSpace = this.#skipSpace(j);
      const c = xml.charCodeAt(afterSpace);
      if (c === GT) {
        j = afterSpace + 1;
        break;
      }
      if (c === SLASH && xml.charCodeAt(afterSpace + 1) === GT) {
        selfClosing = true;
        j = afterSpace + 2;
        break;
      }
      if (afterSpace === j || Number.isNaN(c))
        throw malformed(`Malformed start tag <${qname}> at offset ${i}`);
      j = this.#readAttribute(afterSpace, qname, attributes);
    }
    const element: RawElement = { qname, attributes, children: [] };
    if (parent === undefined) this.#root = element;
    else {
      this.#flushText(parent);
      parent.children.push(element);
    }
    if (!selfClosing) {
      this.#open.push(element);
      if (this.#open.length > this.maxDepth) {
        throw new AppError(
          'XML_TOO_DEEP',
          `The XML document nests elements deeper than ${this.maxDepth} levels`,
        );
      }
    }
    return j;
  }

  /** One `name = "value"`; returns the index after its closing quote. */
  #readAttribute(i: number, element: string, attributes: (readonly [string, string])[]): number {
    const { xml } = this;
    const qname = this.#name(i, `attribute on <${element}>`);
    const equals = this.#skipSpace(i + qname.length);
    if (xml.charCodeAt(equals) !== EQUALS)
      throw malformed(`Attribute '${qname}' on <${element}> has no value`);
    const open = this.#skipSpace(equals + 1);
    const quote = xml.charCodeAt(open);
    if (quote !== DQUOTE && quote !== SQUOTE) {
      throw malformed(`The value of attribute '${qname}' on <${element}> is not quoted`);
    }
    const close = xml.indexOf(quote === DQUOTE ? '"' : "'", open + 1);
    if (close === -1) throw malformed(`Unclosed attribute value at offset ${open}`);
    const raw = xml.slice(open + 1, close);
    const lt = raw.indexOf('<');
    if (lt !== -1) throw malformed(`'<' inside an attribute value at offset ${open + 1 + lt}`);
    for (let amp = raw.indexOf('&'); amp !== -1; amp = raw.indexOf('&', amp + 1)) {
      checkReference(xml, open + 1 + amp);
    }
    for (const [seen] of attributes) {
      if (seen === qname) throw malformed(`Attribute '${qname}' is repeated on <${element}>`);
    }
    // XML 1.0 §3.3.3: literal whitespace becomes a space; character references keep what
    // they encode, so decoding comes after.
    attributes.push([qname, decodeXmlEntities(raw.replace(ATTRIBUTE_SPACE, ' '))]);
    return close + 1;
  }

  #name(i: number, what: string): string {
    // ASCII names, the usual case, without the Unicode regular expression.
    const { xml } = this;
    let j = i;
    for (let c = xml.charCodeAt(j); isAsciiNameChar(c, j === i); c = xml.charCodeAt(++j));
    const next = xml.charCodeAt(j);
    if (j > i && (Number.isNaN(next) || next < 0x80)) return xml.slice(i, j);
    NAME.lastIndex = i;
    const name = NAME.exec(this.xml)?.[0];
    if (name === undefined) throw malformed(`Invalid name in the ${what} at offset ${i}`);
    return name;
  }

  #skipSpace(i: number): number {
    const { xml } = this;
    let j = i;
    for (
      let c = xml.charCodeAt(j);
      c === 0x20 || c === 0x09 || c === 0x0a;
      c = xml.charCodeAt(++j)
    );
    return j;
  }

  #flushText(element: RawElement): void {
    if (this.#text === '') return;
    element.children.push(this.#text);
    this.#text = '';
  }
}
