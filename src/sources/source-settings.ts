/**
 * Where element sources may be read from, and how. Built by the composition root from the
 * service configuration, then checked once by {@link normalizeSourceSettings}.
 */
import { isAbsolute, resolve } from 'node:path';
import { AppError } from '../errors.js';
import { normalizeCredential, type SourceCredential } from './source-credential.js';
import { formatUrlPrefix, parseUrlPrefix } from './url-prefix.js';

/** Settings of the source fetcher. URL prefixes match on path-segment boundaries. */
export interface SourceSettings {
  /** http(s) URL prefixes that may be fetched. */
  readonly allowedUrlPrefixes: readonly string[];
  /** URL prefixes served from a local (shared) directory instead of over HTTP. */
  readonly sharedStorage: readonly { readonly urlPrefix: string; readonly directory: string }[];
  /** Directories under which `file:` URLs may be read. */
  readonly fileRoots: readonly string[];
  /**
   * Whether a `file:` source may be a regular file with several hard links
   * (SOURCE_FILE_ALLOW_HARDLINKS). Default false: a hard link inside a root may name a file
   * from outside it, and unlike a symlink nothing shows where it points.
   */
  readonly allowHardlinks?: boolean | undefined;
  /** Credentials answered to Digest (or, if enabled, Basic) challenges of their URLs. */
  readonly credentials: readonly SourceCredential[];
  /** Time allowed from sending a request until its response headers arrive. */
  readonly connectTimeoutMs: number;
  /** Longest wait for the next chunk of a body before the read is given up. */
  readonly readTimeoutMs: number;
  /** How many redirects one fetch follows. */
  readonly maxRedirects: number;
}

/** setTimeout's largest delay. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
const MAX_REDIRECTS = 20;

function invalid(field: string, message: string): AppError {
  return new AppError('INVALID_INPUT', `sources.${field}: ${message}`);
}

function prefix(field: string, value: string): string {
  const parsed = parseUrlPrefix(value);
  if (parsed === undefined) {
    throw invalid(field, 'must be an absolute http(s) URL without user info, query or fragment');
  }
  return formatUrlPrefix(parsed);
}

function directory(field: string, value: string): string {
  if (!isAbsolute(value) || value.includes('\0')) throw invalid(field, 'must be an absolute path');
  const resolved = resolve(value);
  // A root of `/` would make every file on the machine publishable.
  if (resolved === resolve('/')) throw invalid(field, 'must not be the filesystem root');
  return resolved;
}

function integer(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

/**
 * Validates settings and returns a frozen copy in canonical form (prefixes as parsed URLs
 * with lowercase host and no default port, directories resolved).
 * @throws AppError INVALID_INPUT naming the offending field.
 */
export function normalizeSourceSettings(settings: SourceSettings): SourceSettings {
  const credentials = settings.credentials.map((entry, i) => {
    const field = `credentials[${i}]`;
    return normalizeCredential(entry, field, prefix(`${field}.urlPrefix`, entry.urlPrefix));
  });
  return Object.freeze({
    allowedUrlPrefixes: Object.freeze(
      settings.allowedUrlPrefixes.map((value, i) => prefix(`allowedUrlPrefixes[${i}]`, value)),
    ),
    sharedStorage: Object.freeze(
      settings.sharedStorage.map((entry, i) =>
        Object.freeze({
          urlPrefix: prefix(`sharedStorage[${i}].urlPrefix`, entry.urlPrefix),
          directory: directory(`sharedStorage[${i}].directory`, entry.directory),
        }),
      ),
    ),
    fileRoots: Object.freeze(
      settings.fileRoots.map((value, i) => directory(`fileRoots[${i}]`, value)),
    ),
    allowHardlinks: settings.allowHardlinks === true,
    credentials: Object.freeze(credentials),
    connectTimeoutMs: integer('connectTimeoutMs', settings.connectTimeoutMs, 1, MAX_TIMEOUT_MS),
    readTimeoutMs: integer('readTimeoutMs', settings.readTimeoutMs, 1, MAX_TIMEOUT_MS),
    maxRedirects: integer('maxRedirects', settings.maxRedirects, 0, MAX_REDIRECTS),
  });
}
