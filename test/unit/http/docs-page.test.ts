/**
 * The REST docs page: generated from docs/openapi.json (every operation, parameter and form
 * field, a testing form each), served without credentials with a policy that allows exactly
 * its own inline script and style, Opencast's redirects, and refusals of bad `path` values.
 * test/integration/http/docs-page.test.ts drives it in Chromium.
 */
import { createHash } from 'node:crypto';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/http/app.js';
import { renderDocsPage } from '../../../src/http/docs-page/render-page.js';
import { deref, readDocument, type JsonObject } from '../../helpers/api-documents.js';
import { testJobService } from '../../helpers/app-harness.js';

const doc = readDocument('openapi.json');
const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete'] as const;

/** The app with Digest users, so public routes prove they need no credentials. */
function app() {
  return createApp({
    jobs: testJobService(),
    // Never reached: every request here is answered before validation.
    validate: () => undefined,
    syncTimeoutMs: 1000,
    defaultOrganization: 'mh_default_org',
    readiness: () => Promise.resolve({ ready: true, checks: {} }),
    maxBodyBytes: 1024 * 1024,
    logger: pino({ level: 'silent' }),
    auth: { users: new Map([['opencast_system_account', 'CHANGE_ME']]) },
  });
}

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

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

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

describe('serving the docs page', () => {
  it('answers without credentials, with a policy allowing only its own script and style', async () => {
    const res = await app().request('/docs.html?path=/distribution/s3');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/html; charset=UTF-8/i);
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    const html = await res.text();
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const policy = res.headers.get('Content-Security-Policy') ?? '';
    expect(policy).toContain(`script-src ${sha256(script)};`);
    expect(policy).toContain(`style-src ${sha256(style)};`);
    expect(policy).toMatch(/^default-src 'none';/);
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
  });

  it("redirects /docs and Opencast's /distribution/s3/docs to it, without credentials", async () => {
    for (const [path, location] of [
      ['/docs', '/docs.html'],
      ['/distribution/s3/docs', '/docs.html?path=/distribution/s3'],
      ['/distribution/s3/docs/', '/docs.html?path=/distribution/s3'],
    ] as const) {
      const res = await app().request(path);
      expect(res.status, path).toBe(301);
      expect(res.headers.get('Location')).toBe(location);
    }
  });

  it('answers bad and unknown paths as HTML; the API behind the page still needs credentials', async () => {
    const bad = await app().request('/docs.html?path=%3Cscript%3E');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('Content-Type')).toMatch(/^text\/html/);
    expect((await app().request('/docs.html?path=/nothing')).status).toBe(404);
    const form = await app().request('/distribution/s3/distributesync', { method: 'POST' });
    expect(form.status).toBe(401);
    // Only the page and its redirects are public, not what merely starts like them.
    expect((await app().request('/docs.html.bak')).status).toBe(401);
    expect((await app().request('/distribution/s3/docsx')).status).toBe(401);
  });
});
