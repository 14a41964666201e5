import { AppError } from '../errors.js';
import type { ElementType, MediaPackageElement, XmlNode } from './model.js';
import {
  attributeOf,
  childNodes,
  childText,
  isXmlNode,
  quoteForMessage,
  singleChild,
  textOf,
} from './xml-node.js';
import { parseXmlBoolean, parseXmlInteger } from './xml-values.js';

const ELEMENT_TYPES: ReadonlySet<string> = new Set([
  'track',
  'catalog',
  'attachment',
  'publication',
]);

/** Wrapper element name to the element type it holds (mediapackage and publication). */
export const WRAPPED_TYPES: ReadonlyMap<string, ElementType> = new Map([
  ['media', 'track'],
  ['metadata', 'catalog'],
  ['attachments', 'attachment'],
  ['publications', 'publication'],
]);

/**
 * Children that hold one value. Opencast's JAXB would keep the last of several; an
 * ambiguous element is refused instead, so no two readers can disagree about its URL.
 */
const SINGLE_VALUED = [
  'mimetype',
  'tags',
  'url',
  'size',
  'checksum',
  'duration',
  'live',
  'master',
  'logicalname',
];

/** Whether a local name is one of the distributable element types. */
export function isElementType(name: string): name is ElementType {
  return ELEMENT_TYPES.has(name);
}

/** Java `TreeSet<String>` order: UTF-16 code units compared one by one, duplicates dropped. */
export function sortTags(tags: readonly string[]): string[] {
  return [...new Set(tags)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The element's tags, sorted like Opencast's `TreeSet`. */
export function tagsOf(node: XmlNode): string[] {
  return sortTags(childNodes(node, 'tags').flatMap((tags) => childNodes(tags, 'tag').map(textOf)));
}

/**
 * Builds the model of a track, catalog, attachment or publication from its normalised
 * node. XML_INVALID when the id or url is missing or a value cannot be read.
 */
export function elementFromNode(node: XmlNode, elementType: ElementType): MediaPackageElement {
  const id = attributeOf(node, 'id') ?? '';
  if (id === '') throw new AppError('XML_INVALID', `A <${elementType}> has no id`);
  const context = `<${elementType} id=${quoteForMessage(id)}>`;
  for (const name of SINGLE_VALUED) singleChild(node, name, context);
  const url = childText(node, 'url', context) ?? '';
  if (url === '') throw new AppError('XML_INVALID', `${context} has no url`);
  const size = childText(node, 'size', context);
  const isTrack = elementType === 'track';
  const master = isTrack ? childText(node, 'master', context) : undefined;
  return {
    elementType,
    id,
    flavor: attributeOf(node, 'type'),
    reference: attributeOf(node, 'ref'),
    mimetype: childText(node, 'mimetype', context),
    tags: tagsOf(node),
    url,
    size: size === undefined ? undefined : parseXmlInteger(size, `size of ${context}`),
    checksum: checksumOf(node, context),
    logicalName: isTrack ? childText(node, 'logicalname', context) : undefined,
    master: master === undefined ? undefined : parseXmlBoolean(master, `master of ${context}`),
    channel: elementType === 'publication' ? attributeOf(node, 'channel') : undefined,
    children: elementType === 'publication' ? publicationChildren(node) : [],
    node,
  };
}

function checksumOf(node: XmlNode, context: string): MediaPackageElement['checksum'] {
  const checksum = singleChild(node, 'checksum', context);
  if (checksum === undefined) return undefined;
  const type = attributeOf(checksum, 'type');
  if (type === undefined || type === '') {
    throw new AppError('XML_INVALID', `The checksum of ${context} has no type`);
  }
  return { type, value: textOf(checksum) };
}

/** A publication's nested tracks, attachments and catalogs, in document order. */
function publicationChildren(node: XmlNode): MediaPackageElement[] {
  const elements: MediaPackageElement[] = [];
  for (const wrapper of node.children) {
    // A publication holds no publications.
    if (!isXmlNode(wrapper) || wrapper.name === 'publications') continue;
    const type = WRAPPED_TYPES.get(wrapper.name);
    if (type === undefined) continue;
    for (const child of childNodes(wrapper, type)) elements.push(elementFromNode(child, type));
  }
  return elements;
}
