import { AppError } from '../errors.js';
import { INVALID_XML_CHAR } from './xml-entities.js';
import type { XmlNode } from './model.js';

/** The declaration JAXB writes before every marshalled document. */
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';

/** A name and value, in the order they are written. */
export type XmlAttributePair = readonly [name: string, value: string];

// JAXB RI's MinimumEscapeHandler (used when marshalling to a Writer in UTF-8): `&`, `<`,
// `>` and CR everywhere; `"` and LF in attribute values too. Other characters, non-ASCII
// included, are written as they are.
const TEXT_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '\r': '&#13;',
};
const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  ...TEXT_ESCAPES,
  '"': '&quot;',
  '\n': '&#10;',
};

/** Escapes character data as JAXB does. */
export function escapeXmlText(text: string): string {
  assertWritable(text);
  return text.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c] ?? c);
}

/** Escapes a double-quoted attribute value as JAXB does. */
export function escapeXmlAttribute(value: string): string {
  assertWritable(value);
  return value.replace(/[&<>"\r\n]/g, (c) => ATTRIBUTE_ESCAPES[c] ?? c);
}

function assertWritable(text: string): void {
  const invalid = INVALID_XML_CHAR.exec(text);
  if (invalid) {
    throw new AppError(
      'INVALID_INPUT',
      `Character U+${(invalid[0].codePointAt(0) ?? 0).toString(16).toUpperCase()} cannot be written in XML`,
    );
  }
}

/** ` a="1" b="2"` for the given pairs, in order. */
export function renderAttributes(attributes: readonly XmlAttributePair[]): string {
  return attributes.map(([name, value]) => ` ${name}="${escapeXmlAttribute(value)}"`).join('');
}

/**
 * A leaf element with text. JAXB writes `<x></x>` for an empty string (the start tag is
 * closed by the empty text event) and `<x/>` only when there is no content at all.
 */
export function renderLeaf(name: string, text: string): string {
  return `<${name}>${escapeXmlText(text)}</${name}>`;
}

/** Writes a node exactly as parsed: attribute and child order kept, `<x/>` when empty. */
export function renderNode(
  node: XmlNode,
  extraAttributes: readonly XmlAttributePair[] = [],
): string {
  const start = `<${node.name}${renderAttributes([...node.attributes, ...extraAttributes])}`;
  if (node.children.length === 0) return `${start}/>`;
  const body = node.children
    .map((child) => (typeof child === 'string' ? escapeXmlText(child) : renderNode(child)))
    .join('');
  return `${start}>${body}</${node.name}>`;
}
