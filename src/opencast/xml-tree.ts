import { AppError } from '../errors.js';
import { resolveXmlLimits, type XmlLimits } from './xml-limits.js';
import {
  declareNamespaces,
  resolveAttributeName,
  resolveElementName,
  ROOT_SCOPE,
  type NamespaceScope,
} from './xml-namespaces.js';
import { readRawXml, type RawElement } from './xml-safety.js';

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
  return toElement(readRawXml(xml, resolveXmlLimits(limits)), ROOT_SCOPE);
}

/** Recursion is bounded by the depth limit, which the reader enforced. */
function toElement(raw: RawElement, parentScope: NamespaceScope): XmlElement {
  const { scope, rest } = declareNamespaces(parentScope, raw.attributes);
  const { namespace, name } = resolveElementName(scope, raw.qname);
  const attributes = rest.map(([qname, value]): XmlAttribute => ({
    ...resolveAttributeName(scope, qname),
    value,
  }));
  assertUniqueAttributes(attributes, raw.qname);
  const children = raw.children.map((child) =>
    typeof child === 'string' ? child : toElement(child, scope),
  );
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
