/**
 * Decides whether a source URL may be read and where from (the allow-list). Pure: no I/O;
 * symlinks are checked when a file is opened (see open-local-file.ts).
 */
import { join } from 'node:path';
import { decodePathSegments, isInside } from './local-path.js';
import { httpPathProblem } from './http-path.js';
import type { SourceSettings } from './source-settings.js';
import {
  canonicalPath,
  isHttpUrl,
  parseUrlPrefix,
  pathAfterPrefix,
  type UrlPrefix,
} from './url-prefix.js';

/** Longest URL accepted, in characters (8 KiB). */
export const MAX_SOURCE_URL_LENGTH = 8192;

/** Where an allowed URL is read from. */
export type SourceRoute =
  | { readonly kind: 'http'; readonly url: URL }
  /**
   * A shared-storage or `file:` URL, read from `path`, which must stay inside `root`. With
   * `refuseHardlinks`, a regular file with more than one link is refused (it may be a link
   * to a file outside the root).
   */
  | {
      readonly kind: 'local';
      readonly url: URL;
      readonly root: string;
      readonly path: string;
      readonly refuseHardlinks: boolean;
    };

/** The allow-list's answer: a route, or why the URL is refused. */
export type SourceDecision =
  | { readonly allowed: true; readonly route: SourceRoute }
  | { readonly allowed: false; readonly reason: string };

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const SPACE_OR_CONTROL = /[\u0000-\u0020\u007f]/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
// Encoded separators and NUL survive URL parsing and would be decoded by a server or fs.
const ENCODED_SEPARATOR = /%(2F|5C|00)/;

function refuse(reason: string): SourceDecision {
  return { allowed: false, reason };
}

function localRoute(url: URL, root: string, urlPath: string): SourceDecision {
  const segments = decodePathSegments(urlPath);
  if (segments === undefined) return refuse('the path has a malformed or dot segment');
  const path = join(root, ...segments);
  // join() cannot leave the root with the segments checked above; this is a second guard.
  if (!isInside(root, path)) return refuse('the path leaves its root directory');
  // Opencast's workspace hardlinks files into shared storage by design: they stay allowed.
  return { allowed: true, route: { kind: 'local', url, root, path, refuseHardlinks: false } };
}

function longestFirst<T>(entries: readonly T[], length: (entry: T) => number): T[] {
  return [...entries].sort((a, b) => length(b) - length(a));
}

function routeFile(url: URL, path: string, settings: SourceSettings): SourceDecision {
  if (url.host !== '') return refuse('file URLs must not name a host');
  const segments = decodePathSegments(path);
  if (segments === undefined) return refuse('the path has a malformed or dot segment');
  const absolute = join('/', ...segments);
  const root = longestFirst(settings.fileRoots, (r) => r.length).find((r) => isInside(r, absolute));
  if (root === undefined) {
    return refuse(
      'the file is outside the configured file roots; SOURCE_FILE_ROOTS lists the directories ' +
        'file: URLs may point into',
    );
  }
  const refuseHardlinks = settings.allowHardlinks !== true;
  return { allowed: true, route: { kind: 'local', url, root, path: absolute, refuseHardlinks } };
}

// Configured prefixes, parsed once: parsing them again for every source URL was most of
// the allow-list's cost. Bounded, since cluster hosts may change over time.
const parsedPrefixes = new Map<string, UrlPrefix | undefined>();

function cachedPrefix(value: string): UrlPrefix | undefined {
  if (parsedPrefixes.has(value)) return parsedPrefixes.get(value);
  if (parsedPrefixes.size >= 1000) parsedPrefixes.clear();
  const prefix = parseUrlPrefix(value);
  parsedPrefixes.set(value, prefix);
  return prefix;
}

function routeHttp(url: URL, settings: SourceSettings): SourceDecision {
  // A URL under a shared-storage prefix is read from disk; the longest prefix wins.
  const shared = longestFirst(settings.sharedStorage, (s) => s.urlPrefix.length);
  for (const { urlPrefix, directory } of shared) {
    const prefix = cachedPrefix(urlPrefix);
    const rest = prefix === undefined ? undefined : pathAfterPrefix(url, prefix);
    if (rest !== undefined) return localRoute(url, directory, rest);
  }
  const allowed = settings.allowedUrlPrefixes.some((value) => {
    const prefix = cachedPrefix(value);
    return prefix !== undefined && pathAfterPrefix(url, prefix) !== undefined;
  });
  return allowed
    ? { allowed: true, route: { kind: 'http', url } }
    : refuse(
        'not under an allowed URL prefix; SOURCE_ALLOWED_PREFIXES lists the prefixes sources ' +
          `may come from (e.g. ${url.origin}/ and the path its files share), or ` +
          'SOURCE_SHARED_STORAGE maps a prefix to a directory read instead',
      );
}

/** Checks a source URL against the allow-list and tells where to read it from. */
export function checkSourceUrl(raw: string, settings: SourceSettings): SourceDecision {
  if (raw === '') return refuse('the URL is empty');
  if (raw.length > MAX_SOURCE_URL_LENGTH) return refuse('the URL is longer than 8 KiB');
  if (SPACE_OR_CONTROL.test(raw)) return refuse('the URL contains spaces or control characters');
  if (!SCHEME.test(raw)) return refuse('the URL must be absolute (with a scheme such as https:)');
  // One parse: URL.canParse and then new URL parsed every accepted source URL twice.
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('the URL is malformed');
  }
  if (url.href.length > MAX_SOURCE_URL_LENGTH) return refuse('the URL is longer than 8 KiB');
  if (!isHttpUrl(url) && url.protocol !== 'file:') {
    return refuse(`the scheme ${url.protocol} is not allowed`);
  }
  if (url.username !== '' || url.password !== '') return refuse('the URL must not carry user info');
  const path = canonicalPath(url.pathname);
  if (ENCODED_SEPARATOR.test(path)) return refuse('the path contains an encoded "/", "\\" or NUL');
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) {
    return refuse('the path has a dot segment');
  }
  // Before routing, so shared-storage URLs (read from disk) obey the same rule.
  const problem = isHttpUrl(url) ? httpPathProblem(path) : undefined;
  if (problem !== undefined) return refuse(problem);
  return url.protocol === 'file:' ? routeFile(url, path, settings) : routeHttp(url, settings);
}

/** Whether the allow-list lets `url` be read. */
export function isAllowed(url: string, settings: SourceSettings): boolean {
  return checkSourceUrl(url, settings).allowed;
}
