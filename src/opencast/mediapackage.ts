import { AppError } from '../errors.js';
import { elementFromNode, WRAPPED_TYPES } from './element-model.js';
import { MEDIAPACKAGE_NS, type MediaPackage, type MediaPackageElement } from './model.js';
import { attributeOf, childNodes, childText, isXmlNode, toXmlNode } from './xml-node.js';
import { readXml, type XmlLimits } from './xml-tree.js';
import { parseXmlInteger } from './xml-values.js';

/**
 * Parses a mediapackage (spec §1). The root must be `mediapackage` in the mediapackage
 * namespace, under any prefix; elements in other namespaces are ignored, as Opencast's JAXB
 * does. XML_INVALID for a wrong root or a missing id or url.
 */
export function parseMediaPackage(xml: string, limits?: Partial<XmlLimits>): MediaPackage {
  const root = readXml(xml, limits);
  if (root.namespace !== MEDIAPACKAGE_NS || root.name !== 'mediapackage') {
    throw new AppError(
      'XML_INVALID',
      `Expected {${MEDIAPACKAGE_NS}}mediapackage, found {${root.namespace ?? ''}}${root.name}`,
    );
  }
  const node = toXmlNode(root, MEDIAPACKAGE_NS);
  const id = attributeOf(node, 'id') ?? '';
  if (id === '') throw new AppError('XML_INVALID', 'The mediapackage has no id');
  const duration = attributeOf(node, 'duration');
  const elements: MediaPackageElement[] = [];
  for (const wrapper of node.children) {
    if (!isXmlNode(wrapper)) continue;
    const type = WRAPPED_TYPES.get(wrapper.name);
    if (type === undefined) continue;
    for (const child of childNodes(wrapper, type)) elements.push(elementFromNode(child, type));
  }
  return {
    id,
    title: childText(node, 'title', 'The mediapackage'),
    start: attributeOf(node, 'start'),
    duration:
      duration === undefined ? undefined : parseXmlInteger(duration, 'The mediapackage duration'),
    seriesId: childText(node, 'series', 'The mediapackage'),
    elements,
  };
}

/** The element with this id: top-level elements first, then those inside publications. */
export function findElement(
  mediaPackage: MediaPackage,
  id: string,
): MediaPackageElement | undefined {
  return (
    mediaPackage.elements.find((element) => element.id === id) ??
    mediaPackage.elements
      .flatMap((element) => element.children)
      .find((element) => element.id === id)
  );
}

/**
 * The mediapackage with only the named elements, each at the top level where
 * {@link findElement} finds it first: what checking a request needs, small enough to pass
 * between threads. Ids that are not found are left out, so the check still reports them.
 */
export function pickElements(mediaPackage: MediaPackage, ids: readonly string[]): MediaPackage {
  const elements: MediaPackageElement[] = [];
  for (const id of ids) {
    const element = findElement(mediaPackage, id);
    if (element !== undefined) elements.push(element);
  }
  return { ...mediaPackage, elements };
}
