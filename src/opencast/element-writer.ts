import { tagsOf, WRAPPED_TYPES } from './element-model.js';
import { MEDIAPACKAGE_NS, type ElementType, type XmlNode } from './model.js';
import { childNodes, isXmlNode } from './xml-node.js';
import { renderAttributes, renderLeaf, renderNode, type XmlAttributePair } from './xml-writer.js';

/** Children of every element, in JAXB's order (`AbstractMediaPackageElement`). */
const COMMON_CHILDREN = ['mimetype', 'tags', 'url', 'size', 'checksum'];

/** Children each subclass adds after the common ones, in JAXB's order. */
const TYPE_CHILDREN: Readonly<Record<ElementType, readonly string[]>> = {
  track: ['duration', 'audio', 'video', 'subtitle', 'live', 'master', 'logicalname'],
  catalog: [],
  attachment: ['additionalProperties'],
  publication: ['media', 'attachments', 'metadata'],
};

/** The subclass attribute JAXB writes after `id`, `type` and `ref`. */
const TYPE_ATTRIBUTE: Readonly<Record<ElementType, string | undefined>> = {
  track: 'transport',
  catalog: undefined,
  attachment: undefined,
  publication: 'channel',
};

/**
 * Writes an element the way Opencast's `MediaPackageElementParser.getAsXml` does: known
 * attributes and children in JAXB's order, `<tags/>` and `<live>` always, and (on the
 * root only) the namespace declaration after the attributes.
 *
 * Attributes and children in the mediapackage namespace that Opencast does not know are
 * kept after the known ones, in document order. Opencast itself would drop them; keeping
 * them lets a newer Opencast's fields survive a round trip through this service.
 */
export function renderElement(node: XmlNode, elementType: ElementType, isRoot: boolean): string {
  const known = [...COMMON_CHILDREN, ...TYPE_CHILDREN[elementType]];
  let body = known.map((name) => renderKnownChild(node, elementType, name)).join('');
  for (const child of node.children) {
    // Text directly inside an element is not mapped by JAXB: it is dropped.
    if (isXmlNode(child) && !known.includes(child.name)) body += renderNode(child);
  }
  const attributes = orderAttributes(node, elementType);
  if (isRoot) attributes.push(['xmlns', MEDIAPACKAGE_NS]);
  return `<${elementType}${renderAttributes(attributes)}>${body}</${elementType}>`;
}

function orderAttributes(node: XmlNode, elementType: ElementType): XmlAttributePair[] {
  const order = ['id', 'type', 'ref', TYPE_ATTRIBUTE[elementType]];
  const rank = (name: string): number => {
    const index = order.indexOf(name);
    return index === -1 ? order.length : index;
  };
  // Array.prototype.sort is stable: unknown attributes keep their document order.
  return [...node.attributes].sort(([a], [b]) => rank(a) - rank(b));
}

function renderKnownChild(node: XmlNode, elementType: ElementType, name: string): string {
  if (name === 'tags') {
    const tags = tagsOf(node);
    return tags.length === 0
      ? '<tags/>'
      : `<tags>${tags.map((tag) => renderLeaf('tag', tag)).join('')}</tags>`;
  }
  const present = childNodes(node, name);
  if (name === 'live' && present.length === 0) {
    // A primitive boolean in TrackImpl: JAXB always writes it.
    return '<live>false</live>';
  }
  const wrapped = elementType === 'publication' ? WRAPPED_TYPES.get(name) : undefined;
  if (wrapped !== undefined) {
    const items = present.flatMap((wrapper) => childNodes(wrapper, wrapped));
    if (items.length === 0) return `<${name}/>`;
    return `<${name}>${items.map((item) => renderElement(item, wrapped, false)).join('')}</${name}>`;
  }
  return present.map((child) => renderNode(child)).join('');
}
