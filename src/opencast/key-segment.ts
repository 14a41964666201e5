/**
 * The path segments an element is published under (docs/opencast-wire-spec.md §5.1): the file name taken
 * from an element URL, the safe-identifier rule for ids, and the percent-encoding that makes
 * a URL resolve to its stored key. Shared by the key planner (`distribution/object-key.ts`)
 * and the HLS reference rewriter, so a playlist reference and the key it points to are
 * always spelled the same way.
 *
 * - File name: the last `/`- or `\`-separated segment of the element URL, as Opencast takes
 *   it, but with the query string and fragment removed (Opencast keeps them, which yields a
 *   key the published URL cannot reach) and percent-escapes decoded once (Opencast keeps
 *   `%20` literally, so the published URL decodes to another key). Names Opencast's
 *   workspace writes (letters, digits, `-`, `_`, `.`) come out exactly as in Opencast.
 * - Refused (INVALID_KEY): an empty name, `.` or `..`, a decoded name containing `/` or `\`,
 *   control characters, malformed escapes, and ids that are not safe identifiers.
 */
import { AppError } from '../errors.js';

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
