/**
 * Recognising HLS playlists (docs/opencast-wire-spec.md §6.1) and reading their text safely: size and line
 * limits, and Java's `BufferedReader.readLine` line splitting.
 */
import { AppError } from '../errors.js';
import type { MediaPackageElement } from './model.js';

/** Bounds on a playlist text; playlists are fetched into memory to be rewritten. */
export interface HlsLimits {
  /** Largest accepted playlist, in UTF-8 bytes. */
  readonly maxBytes: number;
  /** Largest accepted number of lines. */
  readonly maxLines: number;
}

/** 5 MiB and 100 000 lines: far above real VOD playlists, far below memory trouble. */
export const DEFAULT_HLS_LIMITS: HlsLimits = Object.freeze({
  maxBytes: 5 * 1024 * 1024,
  maxLines: 100_000,
});

const MASTER_TAGS = /#EXT-X-(?:MEDIA|STREAM-INF|I-FRAME-STREAM-INF|SESSION-DATA):/i;

/**
 * Whether an element is an HLS playlist: a track whose URL path (query and fragment
 * removed, percent-escapes decoded) ends in `.m3u8`, in any case. Like Opencast, neither
 * the MIME type nor the flavor is consulted.
 */
export function isPlaylist(element: MediaPackageElement): boolean {
  if (element.elementType !== 'track') return false;
  const path = element.url.replace(/[?#].*$/s, '');
  return decodeOrKeep(path).toLowerCase().endsWith('.m3u8');
}

/** Whether any of the elements is a playlist, which puts a distribution in HLS mode. */
export function hasHlsPlaylist(elements: readonly MediaPackageElement[]): boolean {
  return elements.some(isPlaylist);
}

/**
 * Whether a playlist text is a master playlist: it contains, anywhere and in any case,
 * one of Opencast's master tags (`#EXT-X-MEDIA:`, `#EXT-X-STREAM-INF:`,
 * `#EXT-X-I-FRAME-STREAM-INF:`, `#EXT-X-SESSION-DATA:`).
 */
export function isMasterPlaylist(text: string): boolean {
  return MASTER_TAGS.test(text);
}

/**
 * The lines of a playlist as Java's `readLine` yields them: split at `\r\n`, `\r` or `\n`,
 * with no extra empty line after a final line break. INVALID_INPUT when the text is over
 * the byte or line limit; the line count is checked before anything is split.
 */
export function playlistLines(text: string, what: string, limits: HlsLimits): string[] {
  // A UTF-8 encoding is never shorter than the UTF-16 length, so long texts fail fast.
  if (text.length > limits.maxBytes || Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
    throw new AppError('INVALID_INPUT', `${what} is larger than ${limits.maxBytes} bytes`);
  }
  if (countLines(text, limits.maxLines) > limits.maxLines) {
    throw new AppError('INVALID_INPUT', `${what} has more than ${limits.maxLines} lines`);
  }
  if (text === '') return [];
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Counts lines like {@link playlistLines} would produce, stopping once over `stopAbove`. */
function countLines(text: string, stopAbove: number): number {
  let lines = 0;
  let lineOpen = false;
  for (let i = 0; i < text.length && lines <= stopAbove; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      lines++;
      lineOpen = false;
    } else if (c !== 13) {
      lineOpen = true;
    }
  }
  return lineOpen ? lines + 1 : lines;
}

function decodeOrKeep(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
