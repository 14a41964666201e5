import { XMLValidator } from 'fast-xml-parser';
import { AppError } from '../errors.js';
import { resolveXmlLimits, type XmlLimits } from './xml-limits.js';
import {
  declareNamespaces,
  resolveAttributeName,
  resolveElementName,
  ROOT_SCOPE,
  type NamespaceScope,
} from './xml-namespaces.js';
import { parseRawRoot, rawAttributes, rawTag, rawText, type RawNode } from './xml-raw.js';
import { assertXmlSafe } from './xml-safety.js';

export { DEFAULT_XML_LIMITS, type XmlLimits } from './xml-limits.js';

/** An attribute with its namespace resolved; namespace declarations are not attributes. */
export interface XmlAttribute {
  /** Local name, without prefix. */
  readonly name: string;
  /** Namespace URI; undefined for unprefixed attributes. */
  readonly namespace: string | undefined;
  readonly value: string;
}

/** A namespace-resolved element: entity references decoded, CDATA merged into text. */
export interface XmlElement {
  /** Namespace URI; undefined when the element is in no namespace. */
  readonly namespace: string | undefined;
  /** Local name, without prefix. */
  readonly name: string;
  readonly attributes: readonly XmlAttribute[];
  /** Child elements and text (adjacent text and CDATA joined), in document order. */
  readonly children: readonly (XmlElement | string)[];
}

/**
 * Parses untrusted XML into a namespace-aware tree. Refuses, each with its own error code:
 * oversized input (XML_TOO_LARGE), deep nesting (XML_TOO_DEEP), DOCTYPE, non-predefined
 * entities, processing instructions and XInclude (XML_FORBIDDEN), and anything not
 * well-formed or namespace-well-formed (XML_MALFORMED).
 */
export function readXml(xml: string, limits?: Partial<XmlLimits>): XmlElement {
  const resolved = resolveXmlLimits(limits);
  assertXmlSafe(xml, resolved);
  const text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  // fast-xml-parser's successor package is not a dependency; v5 still ships the validator.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const verdict = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (verdict !== true) {
    const { msg, line, col } = verdict.err;
    throw new AppError('XML_MALFORMED', `${msg} (line ${line}, column ${col})`);
  }
  return toElement(parseRawRoot(text, resolved.maxDepth), ROOT_SCOPE);
}

/** Recursion is bounded by the depth limit, which the safety scan enforced. */
function toElement(raw: RawNode, parentScope: NamespaceScope): XmlElement {
  const tag = rawTag(raw);
  if (tag === undefined) throw new AppError('INTERNAL', 'XML tree node without a tag');
  const { scope, rest } = declareNamespaces(parentScope, rawAttributes(raw));
  const { namespace, name } = resolveElementName(scope, tag.qname);
  const attributes = rest.map(([qname, value]): XmlAttribute => ({
    ...resolveAttributeName(scope, qname),
    value,
  }));
  assertUniqueAttributes(attributes, tag.qname);
  const children: (XmlElement | string)[] = [];
  for (const child of tag.children) {
    const text = rawText(child);
    const last = children.at(-1);
    if (text === undefined) children.push(toElement(child, scope));
    else if (typeof last === 'string') children[children.length - 1] = last + text;
    else children.push(text);
  }
  return { namespace, name, attributes, children };
}

function assertUniqueAttributes(attributes: readonly XmlAttribute[], element: string): void {
  if (attributes.length < 2) return;
  const seen = new Set<string>();
  for (const { namespace, name } of attributes) {
    const key = `${namespace ?? ''} ${name}`;
    if (seen.has(key)) {
      throw new AppError('XML_MALFORMED', `Attribute '${name}' is repeated on <${element}>`);
    }
    seen.add(key);
  }
}
