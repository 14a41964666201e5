/**
 * The REST docs page as rendered from docs/openapi.json: every operation, parameter and form
 * field in a labelled testing form, escaping, and refusals of bad `path` values. Serving it
 * (no credentials, CSP, redirects) is checked with the app in test/unit/http/openapi.test.ts;
 * test/integration/http/docs-page.test.ts drives it in Chromium.
 */
import { describe, expect, it } from 'vitest';
import { renderDocsPage } from '../../../src/http/docs-page/render-page.js';
import { deref, readDocument, type JsonObject } from '../../helpers/api-documents.js';

const doc = readDocument('openapi.json');
const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete'] as const;

/** Every operation of the document with the names of its parameters and form fields. */
function documentedOperations(): { id: string; method: string; path: string; fields: string[] }[] {
  const paths = doc.paths as Record<string, JsonObject>;
  return Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter((m) => m in item).map((method) => {
      const operation = item[method] as JsonObject;
      const parameters = ((operation.parameters ?? []) as unknown[]).map(
        (p) => (deref(doc, p) as { name: string }).name,
      );
      const body = deref(doc, operation.requestBody) as { content?: JsonObject } | undefined;
      const content = body?.content;
      const form = content?.['application/x-www-form-urlencoded'] as
        { schema: unknown } | undefined;
      const schema = deref(doc, form?.schema) as { properties?: JsonObject } | undefined;
      return {
        id: operation.operationId as string,
        method: method.toUpperCase(),
        path,
        fields: [...parameters, ...Object.keys(schema?.properties ?? {})],
      };
    }),
  );
}

/** The HTML of one operation's section. */
function section(html: string, id: string): string {
  const start = html.indexOf(`<section class="operation" id="op-${id}"`);
  expect(start, `section of ${id}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</section>', start));
}

describe('the docs page from docs/openapi.json', () => {
  it('shows every operation with each parameter and form field in a labelled testing form', () => {
    const { status, html } = renderDocsPage(doc, undefined);
    expect(status).toBe(200);
    const operations = documentedOperations();
    expect(operations.length).toBeGreaterThan(10);
    for (const operation of operations) {
      const part = section(html, operation.id);
      expect(part).toContain(`data-method="${operation.method}" data-path="${operation.path}"`);
      expect(part).toContain('<summary>Testing form</summary>');
      expect(part).toContain('<h3>Answers</h3>');
      for (const name of operation.fields) {
        const id = new RegExp(`<label for="([^"]+)">${name} `).exec(part)?.[1];
        expect(id, `label of ${operation.id} ${name}`).toBeDefined();
        expect(part).toContain(`id="${id ?? ''}" name="${name}"`);
      }
    }
    // A field with a media type is a text area, prefilled with the documented example.
    expect(section(html, 'distributeSync')).toMatch(
      /<textarea id="op-distributeSync-form-mediapackage"[^>]*>&lt;mediapackage /,
    );
  });

  it('limits the page to a service path', () => {
    const { status, html } = renderDocsPage(doc, '/distribution/s3');
    expect(status).toBe(200);
    expect(html).toContain('id="op-distributeSync"');
    expect(html).toContain('<title>opencast-s3-distribution HTTP API: /distribution/s3</title>');
    expect(html).not.toContain('id="op-getJob"');
    expect(html).not.toContain('id="op-health"');
    const jobs = renderDocsPage(doc, '/jobs/');
    expect(jobs.html).toContain('id="op-getJob"');
    expect(jobs.html).not.toContain('id="op-distribute"');
  });

  it('refuses a path that is no service path, and answers 404 for one without endpoints', () => {
    for (const path of [
      'distribution',
      '/distribution/../jobs',
      '/./jobs',
      '/a//b',
      '/<script>alert(1)</script>',
      '/"onload="x',
      `/${'a'.repeat(200)}`,
      '/distribution/s3?x=1',
    ]) {
      const page = renderDocsPage(doc, path);
      expect(page.status, path).toBe(400);
      expect(page.html).not.toContain('<script>alert');
      expect(page.html).not.toContain('"onload');
    }
    const missing = renderDocsPage(doc, '/distribution/youtube');
    expect(missing.status).toBe(404);
    expect(missing.html).toContain('No endpoints are documented under /distribution/youtube.');
  });

  it('escapes everything it takes from the document', () => {
    const hostile = structuredClone(doc);
    const op = (hostile.paths as Record<string, Record<string, JsonObject>>)['/health']?.get;
    if (op === undefined) throw new Error('no /health');
    op.summary = '<img src=x onerror=alert(1)>';
    op.description = '"><script>alert(2)</script>`<b>`';
    op.operationId = '"><svg onload=alert(3)>';
    op.parameters = [
      { name: '"><i>x', in: 'query', schema: { type: 'string', default: '</textarea><b>' } },
    ];
    const { html } = renderDocsPage(hostile, undefined);
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).not.toMatch(/<(img|svg|i|b)[\s>]/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('<code>&lt;b&gt;</code>');
    expect(html).toContain('value="&lt;/textarea&gt;&lt;b&gt;"');
  });
});
