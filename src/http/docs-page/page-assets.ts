import { createHash } from 'node:crypto';

/**
 * The docs page's only style and script, inline so the page needs nothing from a CDN (the
 * service runs in closed networks) and allowed by hash in its Content-Security-Policy.
 * The script is plain browser JavaScript kept as text: it is never run by Node, and
 * `test/integration/http/docs-page.test.ts` runs it in Chromium.
 */
export const PAGE_STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 70rem; padding: 0 1rem 4rem; color: #1d1d1d; }
code, pre, textarea { font-family: ui-monospace, monospace; font-size: 13px; }
section.operation { border-top: 1px solid #bbb; margin-top: 1.5rem; }
.method { display: inline-block; min-width: 4.5rem; padding: 0 .4rem; background: #234e70; color: #fff; border-radius: 3px; text-align: center; }
.auth { color: #6b3a00; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
details { background: #f4f6f8; padding: .5rem 1rem; margin: .5rem 0; }
summary { cursor: pointer; font-weight: 600; }
form .field { margin: .5rem 0; }
form label { display: block; font-weight: 600; }
form input, form textarea { width: 100%; box-sizing: border-box; }
form textarea { min-height: 8rem; }
.hint { font-weight: normal; color: #444; }
.result pre:empty { display: none; }
.result pre { background: #fff; border: 1px solid #ccc; padding: .5rem; white-space: pre-wrap; word-break: break-all; max-height: 30rem; overflow: auto; }
pre.schema { background: #f4f6f8; padding: .5rem; overflow: auto; }
`;

export const PAGE_SCRIPT = `
(() => {
  'use strict';
  const SHOWN_HEADERS = ['Content-Type', 'X-Job-Id', 'Retry-After', 'Location', 'WWW-Authenticate'];

  async function send(form) {
    const result = document.getElementById(form.dataset.result);
    const status = result.querySelector('.status');
    const headerList = result.querySelector('.headers');
    const body = result.querySelector('.body');
    const method = form.dataset.method;
    let path = form.dataset.path;
    const headers = new Headers();
    const query = new URLSearchParams();
    const fields = new URLSearchParams();
    for (const input of form.querySelectorAll('[data-in]')) {
      const value = input.value;
      if (value === '') continue;
      const place = input.dataset.in;
      if (place === 'path') path = path.replace('{' + input.name + '}', encodeURIComponent(value));
      else if (place === 'header') headers.set(input.name, value);
      else if (place === 'query') query.append(input.name, value);
      else fields.append(input.name, value);
    }
    const url = path + (query.size > 0 ? '?' + query.toString() : '');
    status.textContent = 'Sending ' + method + ' ' + url + ' …';
    headerList.textContent = '';
    body.textContent = '';
    try {
      const init = { method, headers, credentials: 'same-origin' };
      if (form.dataset.body === 'form') init.body = fields;
      const res = await fetch(url, init);
      const text = method === 'HEAD' ? '' : await res.text();
      status.textContent = 'HTTP ' + res.status + ' ' + res.statusText;
      headerList.textContent = SHOWN_HEADERS.filter((name) => res.headers.has(name))
        .map((name) => name + ': ' + res.headers.get(name))
        .join('\\n');
      body.textContent = text;
    } catch (err) {
      status.textContent = 'The request failed: ' + (err instanceof Error ? err.message : String(err));
    }
  }

  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.dataset.method === undefined) return;
    event.preventDefault();
    void send(form);
  });
})();
`;

/** A CSP source for an inline element with exactly this content. */
export function cspHash(content: string): string {
  return `'sha256-${createHash('sha256').update(content, 'utf8').digest('base64')}'`;
}

/**
 * The page's policy: its own inline style and script and requests to its own origin only;
 * responses shown in the page are text (`textContent`), so nothing they contain runs.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src ${cspHash(PAGE_STYLE)}`,
  `script-src ${cspHash(PAGE_SCRIPT)}`,
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');
