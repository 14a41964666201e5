import type { JobUrlCheck } from '../opencast/model.js';

/** Response header of the sync distribute: what the check of the published URLs found. */
export const URL_CHECK_HEADER = 'X-Published-Url-Check';

// Worst first: a URL nobody can connect to says more than one that answered 404.
const SEVERITY = ['unreachable', 'unavailable', 'available'] as const;

/** Header text: printable ASCII only, no quotes or backslashes, bounded. */
function quoted(text: string): string {
  return `"${text.replace(/[^\x20-\x7e]|["\\]/g, '?').slice(0, 300)}"`;
}

/**
 * The header value for a job's URL checks, undefined when none ran (checkAvailability
 * false, or a retract): `available` when every URL answered 200, else the worst result,
 * how many URLs it concerns, and the first such URL with what its check found, e.g.
 * `unreachable; count=2/3; url="http://cdn/x.mp4"; detail="ECONNREFUSED"`.
 */
export function urlCheckHeader(checks: readonly JobUrlCheck[] | undefined): string | undefined {
  if (checks === undefined || checks.length === 0) return undefined;
  const worst = SEVERITY.find((result) => checks.some((c) => c.result === result)) ?? 'available';
  if (worst === 'available') return 'available';
  const failing = checks.filter((c) => c.result === worst);
  const first = failing[0];
  const count = `count=${String(failing.length)}/${String(checks.length)}`;
  if (first === undefined) return `${worst}; ${count}`;
  return `${worst}; ${count}; url=${quoted(first.url)}; detail=${quoted(first.detail)}`;
}
