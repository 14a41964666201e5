import { Hono } from 'hono';
import { apiDocument } from './docs-routes.js';
import { PAGE_CSP } from './docs-page/page-assets.js';
import type { Json } from './docs-page/openapi-view.js';
import { renderDocsPage } from './docs-page/render-page.js';

/** The docs page, as Opencast serves its own: `/docs.html?path=/distribution/s3`. */
export const DOCS_PAGE = '/docs.html';
/** The service's own docs path; Opencast answers `/<service>/docs` with a redirect too. */
export const SERVICE_DOCS = '/distribution/s3/docs';

/** The paths of the page and its redirects: public, like the documents they come from. */
export const DOCS_PAGE_PATHS: readonly string[] = [DOCS_PAGE, '/docs', SERVICE_DOCS];

/**
 * `GET /docs.html[?path=...]`, the REST docs page generated from docs/openapi.json with a
 * testing form per endpoint; `GET /docs` and `GET /distribution/s3/docs` redirect to it
 * (the latter to its `/distribution/s3` part, as Opencast's `RestDocRedirector` does).
 */
export function docsPageRoutes(): Hono {
  const doc = JSON.parse(apiDocument('openapi.json')) as Json;
  const app = new Hono();
  app.get(DOCS_PAGE, (c) => {
    const page = renderDocsPage(doc, c.req.query('path'));
    return c.html(page.html, page.status, {
      'Content-Security-Policy': PAGE_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    });
  });
  app.get('/docs', (c) => c.redirect(DOCS_PAGE, 301));
  app.get(SERVICE_DOCS, (c) => c.redirect(`${DOCS_PAGE}?path=/distribution/s3`, 301));
  return app;
}
