import { AppError } from '../errors.js';

/** The namespace the `xml` prefix is always bound to. */
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
/** XInclude namespaces (current and the 2003 draft): an include could read local files. */
const XINCLUDE_NAMESPACES: ReadonlySet<string> = new Set([
  'http://www.w3.org/2001/XInclude',
  'http://www.w3.org/2003/XInclude',
]);

/** In-scope bindings: prefix (`''` for the default namespace) to URI (`''` for none). */
export type NamespaceScope = ReadonlyMap<string, string>;

/** The scope outside the root element. */
export const ROOT_SCOPE: NamespaceScope = new Map([['xml', XML_NS]]);

/** An expanded name: namespace URI (undefined for none) and local name. */
export interface ExpandedName {
  readonly namespace: string | undefined;
  readonly name: string;
}

/**
 * Applies the `xmlns` and `xmlns:p` declarations among an element's raw attributes.
 * Returns the element's scope (the parent's when it declares nothing) and the other
 * attributes, in order.
 */
export function declareNamespaces(
  parent: NamespaceScope,
  attributes: readonly (readonly [qname: string, value: string])[],
): { scope: NamespaceScope; rest: (readonly [qname: string, value: string])[] } {
  if (attributes.length === 0) return { scope: parent, rest: [] };
  let scope: Map<string, string> | undefined;
  const rest: (readonly [string, string])[] = [];
  for (const [qname, uri] of attributes) {
    const prefix = qname === 'xmlns' ? '' : qname.startsWith('xmlns:') ? qname.slice(6) : undefined;
    if (prefix === undefined) {
      rest.push([qname, uri]);
      continue;
    }
    checkDeclaration(prefix, uri);
    scope ??= new Map(parent);
    scope.set(prefix, uri);
  }
  return { scope: scope ?? parent, rest };
}

function checkDeclaration(prefix: string, uri: string): void {
  if (XINCLUDE_NAMESPACES.has(uri)) {
    throw new AppError('XML_FORBIDDEN', `XInclude (namespace ${uri}) is not allowed`);
  }
  if (prefix === 'xmlns' || prefix.includes(':')) {
    throw new AppError('XML_MALFORMED', `Illegal namespace prefix declaration xmlns:${prefix}`);
  }
  if (prefix !== '' && uri === '') {
    throw new AppError('XML_MALFORMED', `Namespace prefix '${prefix}' cannot be bound to ''`);
  }
  if ((prefix === 'xml') !== (uri === XML_NS)) {
    throw new AppError('XML_MALFORMED', `Only the prefix 'xml' may be bound to ${XML_NS}`);
  }
}

/** Resolves an element's qualified name; unprefixed names take the default namespace. */
export function resolveElementName(scope: NamespaceScope, qname: string): ExpandedName {
  return resolve(scope, qname, true);
}

/** Resolves an attribute's qualified name; unprefixed attributes are in no namespace. */
export function resolveAttributeName(scope: NamespaceScope, qname: string): ExpandedName {
  return resolve(scope, qname, false);
}

function resolve(scope: NamespaceScope, qname: string, isElement: boolean): ExpandedName {
  const colon = qname.indexOf(':');
  if (colon === -1) {
    const uri = isElement ? scope.get('') : undefined;
    return { namespace: uri === '' ? undefined : uri, name: qname };
  }
  const prefix = qname.slice(0, colon);
  const name = qname.slice(colon + 1);
  if (prefix === '' || name === '' || name.includes(':') || prefix === 'xmlns') {
    throw new AppError('XML_MALFORMED', `Illegal qualified name '${qname}'`);
  }
  const uri = scope.get(prefix);
  if (uri === undefined) {
    throw new AppError('XML_MALFORMED', `Namespace prefix '${prefix}' of '${qname}' is not bound`);
  }
  if (XINCLUDE_NAMESPACES.has(uri)) {
    throw new AppError('XML_FORBIDDEN', `XInclude (namespace ${uri}) is not allowed`);
  }
  return { namespace: uri, name };
}
