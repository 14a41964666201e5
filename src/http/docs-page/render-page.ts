import { escapeHtml, prose, slug } from './html.js';
import { operationsOf, type Json, type OperationView } from './openapi-view.js';
import { PAGE_SCRIPT, PAGE_STYLE } from './page-assets.js';
import { renderOperation } from './render-operation.js';

/** A rendered page and the status to serve it with. */
export interface DocsPage {
  readonly status: 200 | 400 | 404;
  readonly html: string;
}

/** What `?path=` may be: a service path such as `/distribution/s3`. */
const SERVICE_PATH = /^\/[A-Za-z0-9_.~-]+(\/[A-Za-z0-9_.~-]+)*\/?$/;
const MAX_PATH = 200;

function layout(title: string, main: string): string {
  return (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)}</title><style>${PAGE_STYLE}</style></head>` +
    `<body><main>${main}</main><script>${PAGE_SCRIPT}</script></body></html>`
  );
}

function message(status: 400 | 404, title: string, text: string): DocsPage {
  const main =
    `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>` +
    '<p><a href="/docs.html">All endpoints</a></p>';
  return { status, html: layout(title, main) };
}

function schemas(doc: Json): string {
  const components = doc.components as { schemas?: Record<string, unknown> } | undefined;
  const entries = Object.entries(components?.schemas ?? {});
  if (entries.length === 0) return '';
  const items = entries.map(
    ([name, schema]) =>
      `<section id="schema-${slug(name)}" aria-labelledby="schema-${slug(name)}-title">` +
      `<h3 id="schema-${slug(name)}-title">${escapeHtml(name)}</h3>` +
      `<pre class="schema">${escapeHtml(JSON.stringify(schema, null, 2))}</pre></section>`,
  );
  return `<section class="schemas" aria-labelledby="schemas-title"><h2 id="schemas-title">Schemas</h2>${items.join('')}</section>`;
}

function contents(operations: readonly OperationView[]): string {
  const items = operations.map(
    (o) =>
      `<li><a href="#op-${slug(o.id)}">${o.method} <code>${escapeHtml(o.path)}</code></a>: ` +
      `${prose(o.summary)}</li>`,
  );
  return `<nav aria-labelledby="contents-title"><h2 id="contents-title">Endpoints</h2><ul>${items.join('')}</ul></nav>`;
}

/**
 * The REST docs page, generated from the OpenAPI document so it cannot drift from it: every
 * operation with its fields, answers and a testing form, as Opencast's `docs.html?path=`
 * pages show a service. `path` limits the page to the operations under it (undefined or
 * empty: all); an unsafe path answers 400, one with no operations 404.
 */
export function renderDocsPage(doc: Json, path: string | undefined): DocsPage {
  const info = (doc.info ?? {}) as { title?: unknown; description?: unknown };
  const title = typeof info.title === 'string' ? info.title : 'REST docs';
  let operations = operationsOf(doc);
  let heading = title;
  if (path !== undefined && path !== '' && path !== '/') {
    if (path.length > MAX_PATH || !SERVICE_PATH.test(path) || /\/\.\.?(\/|$)/.test(path)) {
      return message(
        400,
        'Bad docs path',
        `The path must be a service path such as /distribution/s3: letters, digits, - _ . ~ between slashes, no . or .. segments, at most ${MAX_PATH} characters.`,
      );
    }
    const prefix = path.replace(/\/$/, '');
    operations = operations.filter((o) => o.path === prefix || o.path.startsWith(`${prefix}/`));
    if (operations.length === 0) {
      return message(404, 'No such service', `No endpoints are documented under ${prefix}.`);
    }
    heading = `${title}: ${prefix}`;
  }
  const main =
    `<h1>${escapeHtml(heading)}</h1>` +
    (typeof info.description === 'string' ? `<p>${prose(info.description)}</p>` : '') +
    '<p>Generated from <a href="/docs/openapi.json">/docs/openapi.json</a>; the messages on ' +
    'RabbitMQ are in <a href="/docs/asyncapi.json">/docs/asyncapi.json</a>. ' +
    '<a href="/docs.html">All endpoints</a>.</p>' +
    '<noscript><p>The testing forms need JavaScript to send headers and show answers in ' +
    'the page; without it, POST forms post their fields straight to the endpoint.</p></noscript>' +
    contents(operations) +
    operations.map(renderOperation).join('') +
    schemas(doc);
  return { status: 200, html: layout(heading, main) };
}
