import { XMLParser } from 'fast-xml-parser';
import { AppError, isAppError } from '../errors.js';
import { decodeXmlEntities } from './xml-entities.js';

/**
 * The fast-xml-parser side of the reader: its ordered output (`preserveOrder`) and the
 * lexical work on it (entity decoding, attribute-value normalisation). Namespaces are
 * resolved by the caller.
 */
export type RawNode = Readonly<Record<string, unknown>>;

// '$' cannot start an XML name, so tag keys never collide with the parser's own keys
// ('#text', '#cdata', ':@') or with Object.prototype members.
const TAG_PREFIX = '$';
const ATTRIBUTE_PREFIX = '@_';
const TEXT_KEY = '#text';
const CDATA_KEY = '#cdata';
const ATTRIBUTES_KEY = ':@';

/** Parses well-formed, vetted XML and returns its root element node. */
export function parseRawRoot(xml: string, maxDepth: number): RawNode {
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: ATTRIBUTE_PREFIX,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    // Entities are decoded here, exactly once, after the safety scan vetted every one.
    processEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    cdataPropName: CDATA_KEY,
    commentPropName: false,
    // Idempotent: the parser applies it twice to self-closing tags.
    transformTagName: (name) => (name.startsWith(TAG_PREFIX) ? name : TAG_PREFIX + name),
    maxNestedTags: maxDepth + 1,
    jPath: false,
  });
  let nodes: unknown;
  try {
    nodes = parser.parse(xml);
  } catch (error) {
    if (isAppError(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError('XML_MALFORMED', `XML parser failed: ${message}`, { cause: error });
  }
  const root = asNodes(nodes).find((node) => rawTag(node) !== undefined);
  if (root === undefined) throw new AppError('XML_MALFORMED', 'The XML document has no root');
  return root;
}

/** The qualified name and child nodes of an element node; undefined for text. */
export function rawTag(node: RawNode): { qname: string; children: RawNode[] } | undefined {
  for (const key of Object.keys(node)) {
    if (key.startsWith(TAG_PREFIX)) {
      return { qname: key.slice(TAG_PREFIX.length), children: asNodes(node[key]) };
    }
  }
  return undefined;
}

/** Decoded text of a text or CDATA node (CDATA is literal); undefined for an element. */
export function rawText(node: RawNode): string | undefined {
  const text = node[TEXT_KEY];
  if (typeof text === 'string') return decodeXmlEntities(text);
  const cdata = node[CDATA_KEY];
  if (cdata === undefined) return undefined;
  return asNodes(cdata)
    .map((part) => (typeof part[TEXT_KEY] === 'string' ? part[TEXT_KEY] : ''))
    .join('');
}

/** Attributes by qualified name, in document order, with decoded and normalised values. */
export function rawAttributes(node: RawNode): (readonly [qname: string, value: string])[] {
  const attributes = node[ATTRIBUTES_KEY];
  if (typeof attributes !== 'object' || attributes === null) return [];
  return Object.entries(attributes).map(([key, value]) => [
    key.slice(ATTRIBUTE_PREFIX.length),
    // XML 1.0 §3.3.3: literal whitespace becomes a space; character references keep
    // what they encode, so decoding comes after.
    decodeXmlEntities(
      (typeof value === 'string' ? value : String(value)).replace(/[\t\n\r]/g, ' '),
    ),
  ]);
}

function asNodes(value: unknown): RawNode[] {
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is RawNode => typeof item === 'object' && item !== null);
}
