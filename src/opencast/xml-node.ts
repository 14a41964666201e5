import { AppError } from '../errors.js';
import type { XmlNode } from './model.js';
import type { XmlElement } from './xml-tree.js';

const BLANK = /^[ \t\r\n]*$/;

/**
 * Normalises a parsed element into an {@link XmlNode}: only child elements in `namespace`
 * are kept (JAXB ignores the others), blank text is dropped, and only unqualified
 * attributes are kept (Opencast's schemas use no qualified attributes, and a prefixed one
 * could not be written back without its declaration).
 */
export function toXmlNode(element: XmlElement, namespace: string): XmlNode {
  const attributes = element.attributes
    .filter((attribute) => attribute.namespace === undefined)
    .map((attribute) => [attribute.name, attribute.value] as const);
  const children: (XmlNode | string)[] = [];
  for (const child of element.children) {
    if (typeof child === 'string') {
      if (!BLANK.test(child)) children.push(child);
    } else if (child.namespace === namespace) {
      children.push(toXmlNode(child, namespace));
    }
  }
  return { name: element.name, attributes, children };
}

/** Whether a child is an element (not text). */
export function isXmlNode(child: XmlNode | string): child is XmlNode {
  return typeof child !== 'string';
}

/** The value of an attribute, if present. */
export function attributeOf(node: XmlNode, name: string): string | undefined {
  return node.attributes.find(([key]) => key === name)?.[1];
}

/** All child elements with this name, in document order. */
export function childNodes(node: XmlNode, name: string): XmlNode[] {
  return node.children.filter((child): child is XmlNode => isXmlNode(child) && child.name === name);
}

/** The only child element with this name; XML_INVALID when it is repeated. */
export function singleChild(node: XmlNode, name: string, context: string): XmlNode | undefined {
  const found = childNodes(node, name);
  if (found.length > 1) {
    throw new AppError('XML_INVALID', `${context} has more than one <${name}>`);
  }
  return found[0];
}

/** The text content directly inside a node. */
export function textOf(node: XmlNode): string {
  return node.children.filter((child): child is string => typeof child === 'string').join('');
}

/** Text of the only child with this name, or undefined when absent. */
export function childText(node: XmlNode, name: string, context: string): string | undefined {
  const child = singleChild(node, name, context);
  return child === undefined ? undefined : textOf(child);
}

/** A copy whose first `name` child holds only `text`; the child is appended if absent. */
export function withChildText(node: XmlNode, name: string, text: string): XmlNode {
  const replacement: XmlNode = { name, attributes: [], children: text === '' ? [] : [text] };
  const index = node.children.findIndex((child) => isXmlNode(child) && child.name === name);
  if (index === -1) return { ...node, children: [...node.children, replacement] };
  const children = node.children.map((child, i) =>
    i === index && isXmlNode(child) ? { ...replacement, attributes: child.attributes } : child,
  );
  return { ...node, children };
}

/** Shortens untrusted text for an error message. */
export function quoteForMessage(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
