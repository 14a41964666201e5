/**
 * Line rewriting of one playlist (Opencast's `hlsRewriteFileReference`, docs/opencast-wire-spec.md §6.3),
 * with these deliberate departures from Opencast:
 *
 * - A tag's `URI="…"` value is replaced exactly, as a literal. Opencast uses `replaceFirst`
 *   with the name as a regex (so `.` is a wildcard) on the whole line, which can hit an
 *   earlier attribute holding the same text.
 * - Every tag that names a resource by `URI` is rewritten, not only `#EXT-X-MAP:` and
 *   `#EXT-X-MEDIA:`: Opencast's own comment lists the rest as not done yet, and an
 *   unrewritten `#EXT-X-I-FRAME-STREAM-INF` or `#EXT-X-KEY` points into the wrong folder.
 * - A reference with a directory (`media/file_0.mp4`) that matches by file name becomes
 *   the plain `../<id>/<file>`. Opencast keeps the directory (`concat(dir, ref)`), which
 *   cannot resolve: every element is published in its own folder.
 * - Absolute URIs (`scheme:` or `//host`) are kept as they are, even when their last
 *   segment is a known name: they point somewhere else on purpose.
 * - A reference is also matched in its percent-decoded form (`my%20file.mp4` is the
 *   element `my file.mp4`), as a player would resolve it.
 *
 * Kept from Opencast: blank lines stay (empty), other `#` lines are copied, a URI line is
 * trimmed with Java's `trim()`, an unknown reference is kept, every line ends in `\n`.
 */
import { AppError } from '../errors.js';
import type { ReferenceMap } from './hls-references.js';

/** Tags (RFC 8216 and its successors) whose `URI` attribute names another resource. */
const URI_TAGS = [
  '#EXT-X-MAP:',
  '#EXT-X-MEDIA:',
  '#EXT-X-I-FRAME-STREAM-INF:',
  '#EXT-X-KEY:',
  '#EXT-X-SESSION-KEY:',
  '#EXT-X-SESSION-DATA:',
  '#EXT-X-PART:',
  '#EXT-X-PRELOAD-HINT:',
  '#EXT-X-RENDITION-REPORT:',
] as const;

const ABSOLUTE_URI = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

/** Rewrites the lines of one playlist; the result ends in `\n` unless it has no lines. */
export function rewriteLines(lines: readonly string[], references: ReferenceMap): string {
  let out = '';
  for (const line of lines) out += rewriteLine(line, references) + '\n';
  return out;
}

/** One line of §6.3, with the departures listed in the module comment. */
export function rewriteLine(line: string, references: ReferenceMap): string {
  const trimmed = javaTrim(line);
  if (trimmed === '') return '';
  if (line.startsWith('#')) {
    if (!URI_TAGS.some((tag) => line.startsWith(tag))) return line;
    const value = findUriValue(line);
    if (value === undefined) return line;
    const target = resolveReference(line.slice(value.start, value.end), references);
    return target === undefined
      ? line
      : line.slice(0, value.start) + target + line.slice(value.end);
  }
  return resolveReference(trimmed, references) ?? trimmed;
}

/**
 * The reference an URI from a playlist stands for, or undefined to keep it: the whole URI
 * first, then its last path segment, each as written and percent-decoded.
 */
export function resolveReference(uri: string, references: ReferenceMap): string | undefined {
  if (uri === '' || ABSOLUTE_URI.test(uri)) return undefined;
  const fileName = uri.slice(Math.max(uri.lastIndexOf('/'), uri.lastIndexOf('\\')) + 1);
  for (const candidate of [uri, fileName]) {
    const found = references.get(candidate) ?? references.get(decodeOrKeep(candidate));
    if (typeof found === 'string') return found;
    if (found !== undefined) {
      throw new AppError(
        'INVALID_INPUT',
        `Playlist reference ${JSON.stringify(uri.slice(0, 200))} matches tracks ${found.trackIds.join(', ')}, which share that logical name`,
      );
    }
  }
  return undefined;
}

/**
 * Where the value of the first quoted `URI` attribute of a tag line is, or undefined when
 * there is none or the attribute list is malformed (the line is then kept). A linear scan
 * of `NAME=value` pairs, so quoted values containing `,` or `URI=` are skipped correctly.
 */
function findUriValue(line: string): { start: number; end: number } | undefined {
  let i = line.indexOf(':') + 1;
  while (i > 0 && i < line.length) {
    const eq = line.indexOf('=', i);
    if (eq === -1) return undefined;
    const name = line.slice(i, eq).trim();
    let next: number;
    if (line[eq + 1] === '"') {
      const close = line.indexOf('"', eq + 2);
      if (close === -1) return undefined;
      if (name === 'URI') return { start: eq + 2, end: close };
      next = close + 1;
    } else {
      const comma = line.indexOf(',', eq + 1);
      next = comma === -1 ? line.length : comma;
    }
    if (next >= line.length || line[next] !== ',') return undefined;
    i = next + 1;
  }
  return undefined;
}

/** Java's `String.trim()` (every char up to U+0020), with index loops: no regex backtracking. */
function javaTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 0x20) start++;
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--;
  return text.slice(start, end);
}

function decodeOrKeep(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
