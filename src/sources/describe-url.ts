/** Renders a source URL for error messages and logs. */

const MAX_SHOWN = 200;

/**
 * A short, quoted form of a URL without user info, query or fragment (they may carry
 * secrets such as signed-URL tokens); unparseable input is shown truncated.
 */
export function describeUrl(raw: string): string {
  let shown = raw;
  if (URL.canParse(raw)) {
    const url = new URL(raw);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    shown = url.href;
  }
  // JSON quoting escapes control characters, so a hostile URL cannot forge log lines.
  return JSON.stringify(shown.length > MAX_SHOWN ? `${shown.slice(0, MAX_SHOWN)}…` : shown);
}
