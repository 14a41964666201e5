/**
 * docs/openapi.json against the code: a valid OpenAPI 3.1 document, served as kept in the
 * repository, naming every route of the app, and describing the answers the app really gives;
 * and the docs page made from it, as the app serves it.
 */
import { createHash } from 'node:crypto';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../../src/contract/command.js';
import type { JobReply } from '../../../src/contract/reply.js';
import { signPublishedUrls } from '../../../src/distribution/signed-urls.js';
import { createTargetResolver } from '../../../src/distribution/targets.js';
import { validateRequest } from '../../../src/distribution/validate.js';
import { AppError, errorCodes } from '../../../src/errors.js';
import { createApp, type AppDeps } from '../../../src/http/app.js';
import type { Readiness } from '../../../src/http/health-routes.js';
import type { JobService } from '../../../src/jobs/job-service.js';
import { createMetrics } from '../../../src/metrics.js';
import { JOB_STATUSES } from '../../../src/opencast/model.js';
import {
  atPointer,
  deref,
  openApiMetaValidator,
  readDocument,
  schemaValidators,
  unresolvedRefs,
  type JsonObject,
} from '../../helpers/api-documents.js';
import { readFixture } from '../../helpers/fixtures.js';
import { prefixSources, testJobService } from '../../helpers/app-harness.js';

const doc = readDocument('openapi.json');
const schemaAt = schemaValidators(doc, '2020-12');
const SOURCE = 'http://sources.example.org/files/';
/** A path as one JSON pointer segment. */
const escape = (path: string): string => path.replace(/~/g, '~0').replace(/\//g, '~1');
const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'] as const;
const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

function mediapackage(): string {
  return readFixture('mediapackage.xml').replace(/<url>([^<:]+)<\/url>/g, `<url>${SOURCE}$1</url>`);
}

interface Harness {
  readonly app: ReturnType<typeof createApp>;
  readonly jobs: JobService;
}

/** The real app with an in-memory job store; `onSend` plays the worker. */
function harness(
  options: Partial<AppDeps> & {
    onSend?: (c: Command, j: JobService) => void;
    sendError?: Error;
  } = {},
): Harness {
  const targets = createTargetResolver(new Map(), {
    bucket: 'b',
    baseUrl: 'http://cdn.example.org/',
  });
  const jobs = testJobService({ onSend: options.onSend, sendError: options.sendError });
  const sources = prefixSources(SOURCE);
  const app = createApp({
    jobs,
    validate: (request) => {
      validateRequest(request, { sources, targets });
    },
    syncTimeoutMs: 2000,
    defaultOrganization: 'mh_default_org',
    readiness: () => Promise.resolve({ ready: true, checks: {} }),
    maxBodyBytes: 1024 * 1024,
    logger: pino({ level: 'silent' }),
    metrics: createMetrics(),
    ...options,
  });
  return { app, jobs };
}

/** The app with a worker that answers every command with this reply. */
function replying(reply: Pick<JobReply, 'status' | 'payload' | 'error' | 'urlChecks'>): Harness {
  return harness({
    onSend: (command, jobs) => {
      setImmediate(() => {
        const time = new Date().toISOString();
        void jobs.applyReply({ version: 1, jobId: command.jobId, time, ...reply });
      });
    },
  });
}

const fields = (): Record<string, string> => ({
  channelId: 'engage-player',
  mediapackage: mediapackage(),
  elementId: '["presenter-delivery","episode-dc"]',
  checkAvailability: 'false',
});

/** A form request, after checking its fields against the operation's documented form. */
function form(path: string, values: Record<string, string>): RequestInit {
  const schema = atPointer(
    doc,
    `#/paths/${escape(path)}/post/requestBody/content/application~1x-www-form-urlencoded/schema`,
  ) as { $ref: string };
  const validate = schemaAt(schema.$ref);
  if (!validate(values))
    throw new Error(`undocumented request: ${JSON.stringify(validate.errors)}`);
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
    body: new URLSearchParams(values).toString(),
  };
}

/**
 * Checks an answer against the documented operation: its status is listed, its media type
 * is one the operation names, and a JSON body validates against the schema of that type.
 */
async function expectDocumented(res: Response, path: string, method: string): Promise<void> {
  const responses = atPointer(doc, `#/paths/${escape(path)}/${method}/responses`);
  expect(responses, `${method} ${path} is documented`).toBeTypeOf('object');
  const documented = deref(doc, (responses as JsonObject)[String(res.status)]) as
    | { content?: Record<string, { schema: unknown }>; headers?: Record<string, unknown> }
    | undefined;
  expect(documented, `${method} ${path} answers ${res.status}, which is documented`).toBeDefined();
  // Every documented header the answer carries has the documented form.
  const response = (responses as Record<string, { $ref?: string }>)[String(res.status)];
  const base = response?.$ref ?? `#/paths/${escape(path)}/${method}/responses/${res.status}`;
  for (const [name, header] of Object.entries(documented?.headers ?? {})) {
    const value = res.headers.get(name);
    if (value === null) continue;
    const ref = (header as { $ref?: string }).$ref ?? `${base}/headers/${escape(name)}`;
    const validate = schemaAt(`${ref}/schema`);
    expect(validate(value), `${name}: ${value} ${JSON.stringify(validate.errors)}`).toBe(true);
  }
  const body = await res.text();
  if (documented?.content === undefined) {
    expect(body).toBe('');
    return;
  }
  const mediaType = (res.headers.get('Content-Type') ?? '').split(';')[0]?.trim() ?? '';
  const content = documented.content[mediaType];
  expect(content, `${mediaType} of ${res.status} is documented`).toBeDefined();
  if (mediaType !== 'application/json') return;
  // The schema's pointer goes through the response's $ref, so Ajv resolves the rest.
  const validate = schemaAt(`${base}/content/application~1json/schema`);
  const json: unknown = JSON.parse(body);
  expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
}

describe('docs/openapi.json as a document', () => {
  it('is valid OpenAPI 3.1 and every $ref resolves', () => {
    const validate = openApiMetaValidator();
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    expect(unresolvedRefs(doc)).toEqual([]);
  });

  it('the meta-schema check can fail', () => {
    const validate = openApiMetaValidator();
    const broken = structuredClone(doc);
    delete (broken.info as JsonObject).title;
    expect(validate(broken)).toBe(false);
    expect(unresolvedRefs({ a: { $ref: '#/components/schemas/Nope' } })).toEqual([
      '#/components/schemas/Nope',
    ]);
  });

  it('every schema in it compiles in strict mode', () => {
    const schemas = (doc.components as { schemas: JsonObject }).schemas;
    for (const name of Object.keys(schemas)) {
      expect(() => schemaAt(`#/components/schemas/${name}`), name).not.toThrow();
    }
  });

  it('names every route of the app, and nothing the app does not serve', () => {
    const { app } = harness();
    const served = new Set(
      app.routes
        .filter((route) => route.method !== 'ALL')
        .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`),
    );
    const paths = doc.paths as Record<string, JsonObject>;
    const documented = new Set(
      Object.entries(paths).flatMap(([path, item]) =>
        METHODS.filter((m) => m in item).map((m) => `${m === 'head' ? 'get' : m} ${path}`),
      ),
    );
    expect([...served].sort()).toEqual([...documented].sort());
  });

  it('lists the error codes and job statuses the code has', () => {
    const schemas = (doc.components as { schemas: Record<string, { enum?: string[] }> }).schemas;
    expect(schemas.ErrorCode?.enum?.slice().sort()).toEqual(
      [...Object.keys(errorCodes), 'NOT_FOUND', 'METHOD_NOT_ALLOWED'].sort(),
    );
    expect(schemas.JobStatus?.enum).toEqual([...JOB_STATUSES]);
  });

  it('is served as kept in the repository, without credentials', async () => {
    const { app } = harness({
      auth: { users: new Map([['opencast_system_account', 'CHANGE_ME']]) },
    });
    for (const name of ['openapi.json', 'asyncapi.json'] as const) {
      const res = await app.request(`/docs/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual(readDocument(name));
    }
    // The exemption is for the documents only.
    const res = await app.request('/jobs/1000');
    await expectDocumented(res, '/jobs/{id}', 'get');
    expect(res.status).toBe(401);
  });
});

describe('the app answers as documented', () => {
  it('async distribute and retract: job XML', async () => {
    const { app } = harness();
    await expectDocumented(
      await app.request('/distribution/s3', form('/distribution/s3', fields())),
      '/distribution/s3',
      'post',
    );
    const { checkAvailability: _omitted, ...retract } = fields();
    await expectDocumented(
      await app.request('/distribution/s3/retract', form('/distribution/s3/retract', retract)),
      '/distribution/s3/retract',
      'post',
    );
  });

  it('bad requests, a broker that is down, an oversize body: JSON errors', async () => {
    const { app } = harness();
    const bad = await app.request(
      '/distribution/s3',
      form('/distribution/s3', { ...fields(), elementId: '["../x"]' }),
    );
    expect(bad.status).toBe(400);
    await expectDocumented(bad, '/distribution/s3', 'post');

    const down = harness({ sendError: new AppError('BROKER_UNAVAILABLE', 'broker is down') });
    const retry = await down.app.request('/distribution/s3', form('/distribution/s3', fields()));
    expect(retry.status).toBe(503);
    await expectDocumented(retry, '/distribution/s3', 'post');

    const small = harness({ maxBodyBytes: 100 });
    const large = await small.app.request('/distribution/s3', form('/distribution/s3', fields()));
    expect(large.status).toBe(413);
    await expectDocumented(large, '/distribution/s3', 'post');
  });

  it('sync routes: element XML, a failed job and a timeout naming the job', async () => {
    const finished = replying({
      status: 'FINISHED',
      payload: '<track id="x"/>###<catalog id="y"/>',
    });
    const ok = await finished.app.request(
      '/distribution/s3/distributesync',
      form('/distribution/s3/distributesync', fields()),
    );
    expect(ok.status).toBe(200);
    await expectDocumented(ok, '/distribution/s3/distributesync', 'post');

    const unreachable = replying({
      status: 'FINISHED',
      payload: '<track id="x"/>',
      urlChecks: [
        { elementId: 'x', url: 'http://cdn/x.mp4', result: 'unreachable', detail: 'ENOTFOUND' },
      ],
    });
    const stored = await unreachable.app.request(
      '/distribution/s3/distributesync',
      form('/distribution/s3/distributesync', fields()),
    );
    expect(stored.status).toBe(200);
    expect(stored.headers.get('X-Published-Url-Check')).toBe(
      'unreachable; count=1/1; url="http://cdn/x.mp4"; detail="ENOTFOUND"',
    );
    await expectDocumented(stored, '/distribution/s3/distributesync', 'post');

    const failed = replying({
      status: 'FAILED',
      error: { code: 'STORAGE_UNAVAILABLE', message: 'S3 is down', retryable: true },
    });
    const gateway = await failed.app.request(
      '/distribution/s3/retractsync',
      form('/distribution/s3/retractsync', fields()),
    );
    expect(gateway.status).toBe(502);
    await expectDocumented(gateway, '/distribution/s3/retractsync', 'post');

    const silent = harness({ syncTimeoutMs: 20 });
    const timeout = await silent.app.request(
      '/distribution/s3/distributesync',
      form('/distribution/s3/distributesync', fields()),
    );
    expect(timeout.status).toBe(504);
    await expectDocumented(timeout, '/distribution/s3/distributesync', 'post');
  });

  it('a failed job: its error code in a header of both forms, code and message in the JSON', async () => {
    const { app, jobs } = harness();
    await app.request('/distribution/s3', form('/distribution/s3', fields()));
    await jobs.applyReply({
      version: 1,
      jobId: '1000',
      status: 'FAILED',
      time: '2024-10-01T09:10:41.007Z',
      error: { code: 'SOURCE_NOT_FOUND', message: 'video.mp4 answered 404', retryable: false },
    });
    for (const path of ['/jobs/1000', '/jobs/1000.json']) {
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('X-Job-Error-Code')).toBe('SOURCE_NOT_FOUND');
      await expectDocumented(res.clone(), '/jobs/{id}', 'get');
      if (path.endsWith('.json')) {
        expect(((await res.json()) as { error?: unknown }).error).toEqual({
          code: 'SOURCE_NOT_FOUND',
          message: 'video.mp4 answered 404',
        });
      }
    }
  });

  it('a method a documented path does not serve: 405, Allow and a JSON error as documented', async () => {
    const { app } = harness();
    const paths = doc.paths as Record<string, JsonObject>;
    const body = schemaAt(
      '#/components/responses/MethodNotAllowed/content/application~1json/schema',
    );
    const allow = schemaAt('#/components/responses/MethodNotAllowed/headers/Allow/schema');
    for (const [path, item] of Object.entries(paths)) {
      const documented = METHODS.filter((m) => m in item).map((m) => m.toUpperCase());
      const wrong = documented.includes('POST') ? 'PUT' : 'POST';
      const res = await app.request(path.replace('{id}', '1000'), { method: wrong });
      expect(res.status, `${wrong} ${path}`).toBe(405);
      const header = res.headers.get('Allow') ?? '';
      expect(allow(header), header).toBe(true);
      // Every method the document names for the path is in Allow (GET brings HEAD).
      for (const method of documented) expect(header.split(', '), path).toContain(method);
      expect(body(await res.json()), JSON.stringify(body.errors)).toBe(true);
    }
  });

  it('jobs: XML, JSON, unknown and malformed ids', async () => {
    const { app, jobs } = harness();
    await app.request('/distribution/s3', form('/distribution/s3', fields()));
    await jobs.applyReply({
      version: 1,
      jobId: '1000',
      status: 'RUNNING',
      time: '2024-10-01T09:10:02.480Z',
    });
    // A running job with its progress, as JSON.
    await jobs.applyReply({
      version: 1,
      jobId: '1000',
      status: 'RUNNING',
      time: '2024-10-01T09:10:04.480Z',
      progress: { bytesDone: 1024, bytesTotal: 4096, elementsDone: 0, elementsTotal: 1 },
    });
    const runningJson = await app.request('/jobs/1000.json');
    expect(((await runningJson.clone().json()) as { progress: unknown }).progress).toEqual({
      bytesDone: 1024,
      bytesTotal: 4096,
      elementsDone: 0,
      elementsTotal: 1,
    });
    await expectDocumented(runningJson, '/jobs/{id}', 'get');
    await jobs.applyReply({
      version: 1,
      jobId: '1000',
      status: 'FINISHED',
      time: '2024-10-01T09:10:41.007Z',
      payload: '<track/>',
      urlChecks: [{ elementId: 'x', url: 'http://cdn/x', result: 'available', detail: 'HTTP 200' }],
    });
    for (const path of ['/jobs/1000', '/jobs/1000.xml', '/jobs/1000.json']) {
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('X-Job-Error-Code')).toBeNull();
      await expectDocumented(res, '/jobs/{id}', 'get');
    }
    const json = await app.request('/jobs/1000', { headers: { Accept: 'application/json' } });
    expect(json.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(((await json.clone().json()) as { urlChecks?: unknown }).urlChecks).toEqual([
      { elementId: 'x', url: 'http://cdn/x', result: 'available', detail: 'HTTP 200' },
    ]);
    await expectDocumented(json, '/jobs/{id}', 'get');
    for (const [path, status] of [
      ['/jobs/999', 404],
      ['/jobs/abc', 400],
    ] as const) {
      const res = await app.request(path);
      expect(res.status).toBe(status);
      await expectDocumented(res, '/jobs/{id}', 'get');
    }
  });

  it('health, readiness, metrics and the documents', async () => {
    const { app } = harness();
    await expectDocumented(await app.request('/health'), '/health', 'get');
    await expectDocumented(await app.request('/ready'), '/ready', 'get');
    const notReady: Readiness = { ready: false, checks: { broker: 'connection refused' } };
    const down = harness({ readiness: () => Promise.resolve(notReady) });
    const res = await down.app.request('/ready');
    expect(res.status).toBe(503);
    await expectDocumented(res, '/ready', 'get');
    await expectDocumented(await app.request('/metrics'), '/metrics', 'get');
    await expectDocumented(await app.request('/docs/openapi.json'), '/docs/openapi.json', 'get');
    await expectDocumented(await app.request('/docs/asyncapi.json'), '/docs/asyncapi.json', 'get');
    for (const [query, status] of [
      ['', 200],
      ['?path=/distribution/s3', 200],
      ['?path=..', 400],
      ['?path=/nothing', 404],
    ] as const) {
      const res = await app.request(`/docs.html${query}`);
      expect(res.status).toBe(status);
      await expectDocumented(res, '/docs.html', 'get');
    }
    await expectDocumented(await app.request('/docs'), '/docs', 'get');
    await expectDocumented(
      await app.request('/distribution/s3/docs'),
      '/distribution/s3/docs',
      'get',
    );
  });

  it('the heartbeat and dispatch', async () => {
    const standalone = harness();
    const path = '/distribution/s3/dispatch';
    await expectDocumented(await standalone.app.request(path, { method: 'HEAD' }), path, 'head');
    await expectDocumented(await standalone.app.request(path), path, 'get');
    const refused = await standalone.app.request(path, form(path, { id: '5' }));
    expect(refused.status).toBe(503);
    await expectDocumented(refused, path, 'post');

    const cluster = harness({
      dispatch: (id) => {
        if (id === '6')
          return Promise.reject(new AppError('JOB_NOT_RUNNABLE', 'job 6 is FINISHED'));
        return Promise.resolve({ accepted: true });
      },
    });
    const accepted = await cluster.app.request(path, form(path, { id: '5' }));
    expect(accepted.status).toBe(204);
    await expectDocumented(accepted, path, 'post');
    const never = await cluster.app.request(path, form(path, { id: '6' }));
    expect(never.status).toBe(412);
    await expectDocumented(never, path, 'post');
  });

  it('signed URLs: one, several, refused, not configured', async () => {
    const published = 'http://cdn.example.org/mh_default_org/engage/mp-1/track-1/video.mp4';
    const users = new Map([['opencast_system_account', 'CHANGE_ME']]);
    const deps = {
      targets: createTargetResolver(new Map(), { bucket: 'b', baseUrl: 'http://cdn.example.org/' }),
      signer: { sign: (s: { url: string }) => Promise.resolve(`${s.url}?Signature=x`) },
      clock: () => new Date('2026-12-05T12:00:00Z'),
      maxValidMs: 3_600_000,
    };
    const { app } = harness({
      auth: { users, allowBasic: true },
      signUrls: (request) => signPublishedUrls(deps, request),
    });
    const headers = {
      Authorization: `Basic ${Buffer.from('opencast_system_account:CHANGE_ME').toString('base64')}`,
    };
    const one = '/distribution/s3/signed-url';
    const several = '/distribution/s3/signed-urls';
    const get = (query: string) => app.request(`${one}?${query}`, { headers });
    const post = (body: string) =>
      app.request(several, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body,
      });
    const ok = await get(`url=${encodeURIComponent(published)}&validSeconds=60`);
    expect(ok.status).toBe(200);
    await expectDocumented(ok, one, 'get');
    const bad = await get('url=http://elsewhere.example.org/x');
    expect(bad.status).toBe(400);
    await expectDocumented(bad, one, 'get');
    const anonymous = await app.request(`${one}?url=x`);
    expect(anonymous.status).toBe(401);
    await expectDocumented(anonymous, one, 'get');
    const batch = await post(JSON.stringify({ urls: [published, published], validSeconds: 5 }));
    expect(batch.status).toBe(200);
    await expectDocumented(batch, several, 'post');
    const refused = await post('{"urls": "not a list"}');
    expect(refused.status).toBe(400);
    await expectDocumented(refused, several, 'post');
    const off = harness();
    const disabled = await off.app.request(`${one}?url=${encodeURIComponent(published)}`);
    expect(disabled.status).toBe(404);
    await expectDocumented(disabled, one, 'get');
  });

  it('an answer that does not match fails the check', async () => {
    const wrong = new Response(JSON.stringify({ error: { code: 'NO_SUCH_CODE', message: 'x' } }), {
      status: 400,
      headers: { 'Content-Type': 'application/json' },
    });
    await expect(expectDocumented(wrong, '/jobs/{id}', 'get')).rejects.toThrow();
    const undocumented = new Response(null, { status: 418 });
    await expect(expectDocumented(undocumented, '/health', 'get')).rejects.toThrow();
  });
});

describe('the docs page made from it', () => {
  /** The app with Digest users, so what is public proves it needs no credentials. */
  const app = () =>
    harness({ auth: { users: new Map([['opencast_system_account', 'CHANGE_ME']]) } }).app;

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
