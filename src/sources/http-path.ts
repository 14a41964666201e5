/**
 * Checks of an http(s) source path beyond RFC 3986 dot segments. Pure.
 *
 * Servlet containers (Tomcat, some Jetty versions) strip `;params` from a path segment
 * before they resolve dot segments, so `/files/..;/admin-ng` reaches `/admin-ng` although
 * no URL parser sees a `..` in it; a proxy that decodes `%3B` first does the same to
 * `..%3B`. Opencast's working-file URLs never contain `;`, so every `;` is refused.
 */

// `;` literally or percent-encoded (canonicalPath upper-cases the hex; `i` is a second guard).
const PARAMS = /;|%3B/i;

/**
 * Why an http(s) URL path is refused, or undefined when it is acceptable. `path` must be in
 * canonicalPath form, so `%2e` has already been decoded to `.`.
 */
export function httpPathProblem(path: string): string | undefined {
  for (const segment of path.split('/')) {
    const name = segment.split(PARAMS, 1)[0];
    if (name !== segment && (name === '.' || name === '..')) {
      return 'the path has a dot segment with parameters (such as "..;")';
    }
  }
  if (PARAMS.test(path)) return 'the path contains ";" (path parameters are not allowed)';
  return undefined;
}
