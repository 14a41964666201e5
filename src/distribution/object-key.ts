/**
 * Object keys and distribution URLs (wire spec §5.1), with the rules Opencast leaves open
 * decided here so that a key can never leave its element folder:
 *
 * - Key: `org/channel/mediapackageId/elementId/fileName`, as Opencast builds it.
 * - File name: the last `/`- or `\`-separated segment of the element URL, as Opencast takes
 *   it, but with the query string and fragment removed (Opencast keeps them, which yields a
 *   key the published URL cannot reach) and percent-escapes decoded once (Opencast keeps
 *   `%20` literally, so the published URL decodes to another key). Names Opencast's
 *   workspace writes (letters, digits, `-`, `_`, `.`) come out exactly as in Opencast.
 * - Refused (INVALID_KEY): an empty name, `.` or `..`, a decoded name containing `/` or `\`,
 *   control characters, malformed escapes, and keys over S3's 1024-byte limit. Every path
 *   segment (org, channel, mediapackage, element) must be a safe identifier as well.
 * - URL: the base (a `/` appended when missing) followed by the key with each segment
 *   percent-encoded, so the URL always resolves to the stored key.
 */
import { AppError } from '../errors.js';

/** Where one element of one mediapackage is distributed to. */
export interface KeyContext {
  readonly organization: string;
  readonly channelId: string;
  readonly mediaPackageId: string;
  readonly elementId: string;
}

const MAX_KEY_BYTES = 1024;
const MAX_SEGMENT_LENGTH = 255;
/** Opencast ids are `[\w-_.:;()]+` (IdImpl); we also accept `@`, `+` and `~`. */
const SAFE_SEGMENT = /^[\w\-.:;()@+~]+$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what we refuse
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Throws INVALID_KEY unless `value` can stand as one path segment of a key. */
export function assertSafeSegment(value: string, what: string): void {
  if (
    value.length === 0 ||
    value.length > MAX_SEGMENT_LENGTH ||
    !SAFE_SEGMENT.test(value) ||
    value === '.' ||
    value === '..'
  ) {
    throw new AppError(
      'INVALID_KEY',
      `${what} '${truncate(value)}' is not a safe identifier (1-${MAX_SEGMENT_LENGTH} of letters, digits and - _ . : ; ( ) @ + ~, not '.' or '..')`,
    );
  }
}

/** The file name an element URL is published under (see the module comment). */
export function fileNameFromUrl(url: string): string {
  const withoutQuery = url.replace(/[?#].*$/s, '');
  const lastSeparator = Math.max(withoutQuery.lastIndexOf('/'), withoutQuery.lastIndexOf('\\'));
  const raw = withoutQuery.slice(lastSeparator + 1);
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch (cause) {
    throw new AppError('INVALID_KEY', `Element URL '${truncate(url)}' has a malformed escape`, {
      cause,
    });
  }
  if (name === '' || name === '.' || name === '..') {
    throw new AppError('INVALID_KEY', `Element URL '${truncate(url)}' does not end in a file name`);
  }
  if (name.includes('/') || name.includes('\\') || CONTROL_CHARACTERS.test(name)) {
    throw new AppError(
      'INVALID_KEY',
      `File name of element URL '${truncate(url)}' contains a separator or control character`,
    );
  }
  return name;
}

/** The folder every object of an element lives in, with a trailing `/`. */
export function elementFolder(context: KeyContext): string {
  assertSafeSegment(context.organization, 'Organization');
  assertSafeSegment(context.channelId, 'Channel id');
  assertSafeSegment(context.mediaPackageId, 'Mediapackage id');
  assertSafeSegment(context.elementId, 'Element id');
  return `${context.organization}/${context.channelId}/${context.mediaPackageId}/${context.elementId}/`;
}

/** The object key of an element's file: `org/channel/mp/element/fileName`. */
export function objectKey(context: KeyContext, elementUrl: string): string {
  const key = elementFolder(context) + fileNameFromUrl(elementUrl);
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new AppError('INVALID_KEY', `Object key is longer than ${MAX_KEY_BYTES} bytes`);
  }
  return key;
}

/** A base URL with exactly one trailing `/` ensured (Opencast appends one when missing). */
export function normalizeBaseUrl(base: string): string {
  return base.endsWith('/') ? base : `${base}/`;
}

/** The public URL of a key under a distribution base. */
export function distributionUrl(base: string, key: string): string {
  return normalizeBaseUrl(base) + key.split('/').map(encodeSegment).join('/');
}

/**
 * The key a distributed URL points to, or undefined when the URL is not under the base
 * (Opencast then only logs a warning; our retract deletes by folder instead).
 */
export function keyFromDistributedUrl(base: string, url: string): string | undefined {
  const prefix = normalizeBaseUrl(base);
  if (!url.startsWith(prefix) || url.length === prefix.length) return undefined;
  const segments = url
    .slice(prefix.length)
    .replace(/[?#].*$/s, '')
    .split('/');
  try {
    const decoded = segments.map((segment) => decodeURIComponent(segment));
    if (decoded.some((s) => s === '' || s === '.' || s === '..' || s.includes('/'))) {
      return undefined;
    }
    return decoded.join('/');
  } catch {
    return undefined;
  }
}

/** Percent-encodes one key segment; RFC 3986 unreserved characters stay as they are. */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function truncate(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}
