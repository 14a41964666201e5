import { AppError } from '../errors.js';
import { elementFromNode, isElementType } from './element-model.js';
import { renderElement } from './element-writer.js';
import { MEDIAPACKAGE_NS, type MediaPackageElement } from './model.js';
import { resolveXmlLimits } from './xml-limits.js';
import { toXmlNode, withChildText } from './xml-node.js';
import { assertXmlSize } from './xml-safety.js';
import { readXml, type XmlLimits } from './xml-tree.js';
import { XML_DECLARATION } from './xml-writer.js';

/** Separator of Opencast's element "array" (spec §2.2): plain text, not XML. */
export const ELEMENT_ARRAY_SEPARATOR = '###';

/** One element as `MediaPackageElementParser.getAsXml` writes it: declaration + one line. */
export function serializeElement(element: MediaPackageElement): string {
  return XML_DECLARATION + renderElement(element.node, element.elementType, true);
}

/**
 * Elements joined with `###` (`getArrayAsXml`); `""` for none. A run of `#` inside a value
 * is written as character references, so it cannot split the array on the reader's side.
 */
export function serializeElementArray(elements: readonly MediaPackageElement[]): string {
  return elements
    .map((element) =>
      serializeElement(element).replace(/#{3,}/g, (run) => '&#35;'.repeat(run.length)),
    )
    .join(ELEMENT_ARRAY_SEPARATOR);
}

/** Parses one element document; the root must be a track, catalog, attachment or publication. */
export function parseElement(xml: string, limits?: Partial<XmlLimits>): MediaPackageElement {
  const root = readXml(xml, limits);
  if (root.namespace !== MEDIAPACKAGE_NS || !isElementType(root.name)) {
    throw new AppError(
      'XML_INVALID',
      `Expected a track, catalog, attachment or publication in ${MEDIAPACKAGE_NS}, found {${root.namespace ?? ''}}${root.name}`,
    );
  }
  return elementFromNode(toXmlNode(root, MEDIAPACKAGE_NS), root.name);
}

/**
 * Parses a `###`-joined element array like `getArrayFromXml`: split, trim, skip empty
 * parts. The size limit applies to the whole text as well as to each part.
 */
export function parseElementArray(
  text: string,
  limits?: Partial<XmlLimits>,
): MediaPackageElement[] {
  assertXmlSize(text, resolveXmlLimits(limits).maxBytes);
  return text
    .split(ELEMENT_ARRAY_SEPARATOR)
    .map(javaTrim)
    .filter((part) => part !== '')
    .map((part) => parseElement(part, limits));
}

/** A copy of the element with another URL (the distributed one); nothing else changes. */
export function withUrl(element: MediaPackageElement, url: string): MediaPackageElement {
  if (url === '') throw new AppError('INVALID_INPUT', `Empty URL for element ${element.id}`);
  return { ...element, url, node: withChildText(element.node, 'url', url) };
}

/** HLS fields of a track (spec §6); an absent field is left as it is. */
export interface HlsFields {
  readonly logicalName?: string | undefined;
  readonly master?: boolean | undefined;
}

/** A copy of a track with its `logicalname` and/or `master` replaced. */
export function withHlsFields(
  element: MediaPackageElement,
  fields: HlsFields,
): MediaPackageElement {
  if (element.elementType !== 'track') {
    throw new AppError(
      'INVALID_INPUT',
      `HLS fields apply to tracks only, not to ${element.elementType} ${element.id}`,
    );
  }
  let result = element;
  if (fields.logicalName !== undefined) {
    result = {
      ...result,
      logicalName: fields.logicalName,
      node: withChildText(result.node, 'logicalname', fields.logicalName),
    };
  }
  if (fields.master !== undefined) {
    result = {
      ...result,
      master: fields.master,
      node: withChildText(result.node, 'master', String(fields.master)),
    };
  }
  return result;
}

/** Java's `String.trim()`: strips every character up to U+0020 at both ends. */
function javaTrim(text: string): string {
  // eslint-disable-next-line no-control-regex -- Java trims all C0 controls, like this.
  return text.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
}
