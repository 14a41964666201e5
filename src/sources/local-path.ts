/** Pure helpers that turn URL paths into file-system paths without leaving a root. */
import { isAbsolute, relative, sep } from 'node:path';

/**
 * Percent-decodes each segment of a URL path. Returns undefined when a segment is
 * malformed or would change the directory structure once decoded (`.`, `..`, `/`, `\`,
 * NUL). Empty segments (`a//b`) are dropped.
 */
export function decodePathSegments(path: string): readonly string[] | undefined {
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) return undefined;
    segments.push(segment);
  }
  return segments;
}

/** Whether `candidate` is `root` itself or lies below it (both absolute and resolved). */
export function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
