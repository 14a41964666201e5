/**
 * Canonical form of http(s) URLs and prefix matching on path-segment boundaries, shared by
 * the allow-list, shared-storage mapping and credential lookup. Pure.
 */

/** A parsed, canonical http(s) URL prefix. */
export interface UrlPrefix {
  /** `scheme://host[:port]`: lowercase host, default port omitted (the URL parser does both). */
  readonly origin: string;
  /** Canonical path without a trailing slash; `''` for the root. */
  readonly path: string;
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * RFC 3986 §6.2.2 normalisation of a URL path: decodes percent-encoded unreserved
 * characters and upper-cases the hex digits of the rest, so `/%66iles` equals `/files`.
 */
export function canonicalPath(pathname: string): string {
  return pathname.replace(/%([0-9A-Fa-f]{2})/g, (_match, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}

/** Whether a URL is http(s). */
export function isHttpUrl(url: URL): boolean {
  return url.protocol === 'http:' || url.protocol === 'https:';
}

/**
 * Parses a configured prefix. Returns undefined unless it is an absolute http(s) URL
 * without user info, query or fragment.
 */
export function parseUrlPrefix(value: string): UrlPrefix | undefined {
  if (!URL.canParse(value)) return undefined;
  const url = new URL(value);
  if (!isHttpUrl(url) || url.username !== '' || url.password !== '') return undefined;
  if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) {
    return undefined;
  }
  return {
    origin: `${url.protocol}//${url.host}`,
    path: canonicalPath(url.pathname).replace(/\/+$/, ''),
  };
}

/** Renders a prefix back as a URL string (root prefixes keep their `/`). */
export function formatUrlPrefix(prefix: UrlPrefix): string {
  return `${prefix.origin}${prefix.path === '' ? '/' : prefix.path}`;
}

/**
 * The canonical path of `url` after `prefix` (`''` or starting with `/`), or undefined
 * when the URL is not under the prefix. The match is on a segment boundary:
 * `http://a/files` covers `http://a/files/x` but not `http://a/filesystem`.
 */
export function pathAfterPrefix(url: URL, prefix: UrlPrefix): string | undefined {
  if (`${url.protocol}//${url.host}` !== prefix.origin) return undefined;
  const path = canonicalPath(url.pathname);
  if (path === prefix.path) return '';
  return path.startsWith(`${prefix.path}/`) ? path.slice(prefix.path.length) : undefined;
}
