/**
 * Object keys and distribution URLs (docs/opencast-wire-spec.md §5.1), with the rules Opencast leaves open
 * decided here so that a key can never leave its element folder:
 *
 * - Key: `org/channel/mediapackageId/elementId/fileName`, as Opencast builds it.
 * - Segments: the file name, the safe-identifier rule and the encoding are those of
 *   `opencast/key-segment.ts`; every path segment (org, channel, mediapackage, element)
 *   must be a safe identifier. Keys over S3's 1024-byte limit are refused (INVALID_KEY).
 * - URL: the base (a `/` appended when missing) followed by the key with each segment
 *   percent-encoded, so the URL always resolves to the stored key.
 */
import { AppError } from '../errors.js';
import { assertSafeSegment, encodeSegment, fileNameFromUrl } from '../opencast/key-segment.js';

// Re-exported: callers and tests of the key planner know them under this module.
export { assertSafeSegment, encodeSegment, fileNameFromUrl };

/** Where one element of one mediapackage is distributed to. */
export interface KeyContext {
  readonly organization: string;
  readonly channelId: string;
  readonly mediaPackageId: string;
  readonly elementId: string;
}

const MAX_KEY_BYTES = 1024;

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
