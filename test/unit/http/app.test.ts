import pino, { type Logger } from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../../src/contract/command.js';
import { createTargetResolver } from '../../../src/distribution/targets.js';
import { validateRequest } from '../../../src/distribution/validate.js';
import { AppError } from '../../../src/errors.js';
import { createApp } from '../../../src/http/app.js';
import type { Readiness } from '../../../src/http/health-routes.js';
import type { JobService } from '../../../src/jobs/job-service.js';
import { createMetrics, type Metrics } from '../../../src/metrics.js';
import { readFixture } from '../../helpers/fixtures.js';
import { prefixSources, testJobService } from '../../helpers/app-harness.js';

const SOURCE = 'http://sources.example.org/files/';

/** The fixture with its relative URLs made absolute under an allowed source prefix. */
function mediapackage(): string {
  return readFixture('mediapackage.xml').replace(/<url>([^<:]+)<\/url>/g, `<url>${SOURCE}$1</url>`);
}

interface Harness {
  app: ReturnType<typeof createApp>;
  sent: Command[];
  jobs: JobService;
}

function harness(
  options: {
    onSend?: (command: Command, jobs: JobService) => void;
    sendError?: Error;
    ready?: Readiness;
    syncTimeoutMs?: number;
    maxBodyBytes?: number;
    auth?: boolean;
    metrics?: Metrics;
    logger?: Logger;
  } = {},
): Harness {
  const sent: Command[] = [];
  const targets = createTargetResolver(new Map(), {
    bucket: 'b',
    baseUrl: 'http://XYZ.cloudfront.net/',
  });
  const jobs = testJobService({
    sendError: options.sendError,
    onSend: (command, service) => {
      sent.push(command);
      options.onSend?.(command, service);
    },
  });
  const sources = prefixSources(SOURCE);
  const app = createApp({
    jobs,
    validate: (request) => {
      validateRequest(request, { sources, targets });
    },
    syncTimeoutMs: options.syncTimeoutMs ?? 2000,
    defaultOrganization: 'mh_default_org',
    readiness: () => Promise.resolve(options.ready ?? { ready: true, checks: {} }),
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    logger: options.logger ?? pino({ level: 'silent' }),
    metrics: options.metrics,
    auth:
      options.auth === true
        ? { users: new Map([['opencast_system_account', 'CHANGE_ME']]) }
        : undefined,
  });
  return { app, sent, jobs };
}

function form(fields: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
    body: new URLSearchParams(fields).toString(),
  };
}

const distributeFields = () => ({
  channelId: 'engage-player',
  mediapackage: mediapackage(),
  elementId: '["presenter-delivery","episode-dc"]',
  checkAvailability: 'false',
});

describe('POST /distribution/s3 (async distribute)', () => {
  it.each(['/distribution/s3', '/distribution/s3/'])(
    'answers %s with QUEUED job XML after publishing the command',
    async (path) => {
      const { app, sent } = harness();
      const res = await app.request(path, form(distributeFields()));
      expect(res.status).toBe(200);
      expect(res.headers.get('Content-Type')).toMatch(/^text\/xml/);
      const body = await res.text();
      expect(body).toMatch(
        /^<\?xml version="1\.0" encoding="UTF-8" standalone="yes"\?><job id="1000" version="1" type="org\.opencastproject\.distribution\.aws\.s3" status="QUEUED" xmlns="http:\/\/job\.opencastproject\.org">/,
      );
      expect(body).toContain('<operation>Distribute</operation>');
      expect(body).toContain('<arg>engage-player</arg>');
      expect(body).toContain(
        '<arg>["presenter-delivery","episode-dc"]</arg><arg>false</arg></args>',
      );
      expect(body).toContain('<dispatchable>true</dispatchable><jobLoad>0.1</jobLoad></job>');
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({
        type: 'distribute',
        jobId: '1000',
        organization: 'mh_default_org',
        channelId: 'engage-player',
        elementIds: ['presenter-delivery', 'episode-dc'],
        checkAvailability: false,
      });
    },
  );

  it('takes the organization, user and parent job from Opencast headers', async () => {
    const { app, sent } = harness();
    const init = form({ ...distributeFields(), checkAvailability: '' });
    init.headers = {
      ...(init.headers as Record<string, string>),
      'X-Opencast-Matterhorn-Organization': 'tenant2',
      'X-Opencast-Matterhorn-User': 'admin',
      'X-Opencast-Matterhorn-Current-Job-Id': '4700',
    };
    const res = await app.request('/distribution/s3', init);
    const body = await res.text();
    expect(body).toContain('<creator>admin</creator><organization>tenant2</organization>');
    expect(body).toContain('<parentJobId>4700</parentJobId>');
    expect(sent[0]).toMatchObject({ organization: 'tenant2', checkAvailability: true });
  });

  it('accepts a single bare element id', async () => {
    const { app, sent } = harness();
    const res = await app.request(
      '/distribution/s3',
      form({ ...distributeFields(), elementId: 'presenter-delivery' }),
    );
    expect(res.status).toBe(200);
    expect(sent[0]?.elementIds).toEqual(['presenter-delivery']);
  });

  it('answers 503 with Retry-After when the broker does not take the command', async () => {
    const { app, jobs } = harness({
      sendError: new AppError('BROKER_UNAVAILABLE', 'broker is down'),
    });
    const res = await app.request('/distribution/s3', form(distributeFields()));
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toBe('10');
    expect((await jobs.get('1000'))?.status).toBe('FAILED');
  });
});

describe('bad requests change nothing', () => {
  const cases: [string, Record<string, string>, number, string][] = [
    ['missing channelId', { channelId: '' }, 400, 'channelId'],
    ['missing mediapackage', { mediapackage: '' }, 400, 'mediapackage'],
    ['missing elementId', { elementId: '' }, 400, 'elementId'],
    ['malformed elementId JSON', { elementId: '["a",' }, 400, 'elementId'],
    ['elementId not strings', { elementId: '[1,2]' }, 400, 'elementId'],
    ['empty elementId array', { elementId: '[]' }, 400, 'elementId'],
    ['traversing elementId', { elementId: '["../x"]' }, 400, 'elementId'],
    ['unknown element', { elementId: '["nope"]' }, 400, 'No element nope found'],
    ['malformed XML', { mediapackage: '<mediapackage><media>' }, 400, 'XML'],
    [
      'DOCTYPE',
      {
        mediapackage:
          '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><mediapackage xmlns="http://mediapackage.opencastproject.org" id="x">&lol;</mediapackage>',
      },
      400,
      'XML_FORBIDDEN',
    ],
    ['not a mediapackage', { mediapackage: '<foo/>' }, 400, 'XML_INVALID'],
    ['bad checkAvailability', { checkAvailability: 'maybe' }, 400, 'checkAvailability'],
    ['channel with a slash', { channelId: '../../x' }, 400, 'channelId'],
  ];

  it.each(cases)('%s', async (_name, override, status, message) => {
    const { app, sent } = harness();
    const res = await app.request('/distribution/s3', form({ ...distributeFields(), ...override }));
    expect(res.status).toBe(status);
    expect(await res.text()).toContain(message);
    expect(sent).toHaveLength(0);
  });

  it('refuses a source outside the allow-list', async () => {
    const { app, sent } = harness();
    const hostile = mediapackage().replace(
      `${SOURCE}video-presenter-delivery.mp4`,
      'http://169.254.169.254/latest/meta-data/iam',
    );
    const res = await app.request(
      '/distribution/s3',
      form({ ...distributeFields(), mediapackage: hostile }),
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('SOURCE_FORBIDDEN');
    expect(sent).toHaveLength(0);
  });

  it('refuses a hostile organization header', async () => {
    const { app, sent } = harness();
    const init = form(distributeFields());
    init.headers = {
      ...(init.headers as Record<string, string>),
      'X-Opencast-Matterhorn-Organization': '../other',
    };
    const res = await app.request('/distribution/s3', init);
    expect(res.status).toBe(400);
    expect(sent).toHaveLength(0);
  });

  it('refuses a body over the limit with 413', async () => {
    const { app, sent } = harness({ maxBodyBytes: 2048 });
    const res = await app.request('/distribution/s3', form(distributeFields()));
    expect(res.status).toBe(413);
    expect(sent).toHaveLength(0);
  });

  it('refuses a JSON body', async () => {
    const { app, sent } = harness();
    const res = await app.request('/distribution/s3', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('form body');
    expect(sent).toHaveLength(0);
  });
});

describe('logging of failed requests', () => {
  /** A logger keeping its JSON lines. */
  function recording() {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    return { lines, logger: pino(sink) };
  }

  it('logs a rejected request (4xx) at info with its reason, without a stack trace', async () => {
    const { lines, logger } = recording();
    const { app } = harness({ logger });
    const res = await app.request('/distribution/s3', form({ channelId: 'x' }));
    expect(res.status).toBe(400);
    const line = lines.find((l) => l.msg === 'request rejected');
    expect(line).toMatchObject({
      level: 30,
      status: 400,
      method: 'POST',
      path: '/distribution/s3',
    });
    expect(line?.reason).toMatch(/mediapackage/);
    expect(JSON.stringify(lines)).not.toMatch(/stack| {4}at /);
  });

  it('logs a failed request (5xx) at error with the error and its stack', async () => {
    const { lines, logger } = recording();
    const { app } = harness({
      logger,
      sendError: new AppError('BROKER_UNAVAILABLE', 'broker is down'),
    });
    const res = await app.request(
      '/distribution/s3',
      form({ channelId: 'c', mediapackage: mediapackage(), elementId: 'episode-dc' }),
    );
    expect(res.status).toBe(503);
    const line = lines.find((l) => l.msg === 'request failed');
    expect(line).toMatchObject({ level: 50, status: 503, code: 'BROKER_UNAVAILABLE' });
    expect((line?.err as { stack?: string } | undefined)?.stack).toMatch(/broker is down/);
  });
});

describe('retract', () => {
  it('answers with a Retract job of three arguments', async () => {
    const { app, sent } = harness();
    const { checkAvailability: _ignored, ...fields } = distributeFields();
    const res = await app.request('/distribution/s3/retract', form(fields));
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('<operation>Retract</operation>');
    expect(body).toContain('<arg>["presenter-delivery","episode-dc"]</arg></args>');
    expect(sent[0]?.type).toBe('retract');
  });
});

describe('sync routes', () => {
  it('answers the payload of a FINISHED reply with 200', async () => {
    const payload = '<?xml version="1.0"?><track id="x"/>###<?xml version="1.0"?><catalog id="y"/>';
    const { app } = harness({
      onSend: (command, jobs) => {
        setImmediate(() => {
          void jobs.applyReply({
            version: 1,
            jobId: command.jobId,
            status: 'RUNNING',
            time: new Date().toISOString(),
          });
          void jobs.applyReply({
            version: 1,
            jobId: command.jobId,
            status: 'FINISHED',
            time: new Date().toISOString(),
            payload,
          });
        });
      },
    });
    const res = await app.request('/distribution/s3/distributesync', form(distributeFields()));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(payload);
    expect(res.headers.get('X-Job-Id')).toBe('1000');
  });

  it('maps a FAILED reply to the status of its error code', async () => {
    const { app } = harness({
      onSend: (command, jobs) => {
        setImmediate(() => {
          void jobs.applyReply({
            version: 1,
            jobId: command.jobId,
            status: 'FAILED',
            time: new Date().toISOString(),
            error: { code: 'SOURCE_NOT_FOUND', message: 'source answered 404', retryable: false },
          });
        });
      },
    });
    const res = await app.request('/distribution/s3/retractsync', form(distributeFields()));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('source answered 404');
  });

  it('answers 504 when no reply comes in time, and the job stays queryable', async () => {
    const { app, jobs } = harness({ syncTimeoutMs: 50 });
    const res = await app.request('/distribution/s3/distributesync', form(distributeFields()));
    expect(res.status).toBe(504);
    expect((await jobs.get('1000'))?.status).toBe('QUEUED');
  });
});

describe('GET /jobs/{id}', () => {
  it('shows a job as XML, and as JSON on request', async () => {
    const { app, jobs } = harness();
    await app.request('/distribution/s3', form(distributeFields()));
    await jobs.applyReply({
      version: 1,
      jobId: '1000',
      status: 'RUNNING',
      time: '2024-10-01T09:10:02.480Z',
    });
    await jobs.applyReply({
      version: 1,
      jobId: '1000',
      status: 'FINISHED',
      time: '2024-10-01T09:10:41.007Z',
      payload: '<a>&</a>',
    });

    const xml = await (await app.request('/jobs/1000')).text();
    expect(xml).toContain('status="FINISHED"');
    expect(xml).toContain('version="3"');
    expect(xml).toContain('<dateStarted>2024-10-01T09:10:02.480Z</dateStarted>');
    expect(xml).toContain('<queueTime>2360</queueTime><runTime>38527</runTime>');
    expect(xml).toContain('<payload>&lt;a&gt;&amp;&lt;/a&gt;</payload>');

    const json = await app.request('/jobs/1000', { headers: { Accept: 'application/json' } });
    expect(json.headers.get('Content-Type')).toMatch(/json/);
    expect(await json.json()).toMatchObject({ id: '1000', status: 'FINISHED' });
    expect((await app.request('/jobs/1000.json')).headers.get('Content-Type')).toMatch(/json/);
    expect((await app.request('/jobs/1000.xml')).headers.get('Content-Type')).toMatch(/xml/);
  });

  it('answers 404 for an unknown job and 400 for a malformed id', async () => {
    const { app } = harness();
    expect((await app.request('/jobs/42')).status).toBe(404);
    expect((await app.request('/jobs/abc')).status).toBe(400);
  });
});

describe("Opencast's job-producer endpoints", () => {
  it('answers the heartbeat with 200, also without credentials, and refuses dispatch with 503', async () => {
    const { app } = harness({ auth: true });
    expect((await app.request('/distribution/s3/dispatch', { method: 'HEAD' })).status).toBe(200);
    expect(
      (await harness().app.request('/distribution/s3/dispatch', { method: 'POST' })).status,
    ).toBe(503);
  });
});

describe('metrics', () => {
  it('serves Prometheus text with request metrics by route pattern', async () => {
    const metrics = createMetrics();
    const { app } = harness({ metrics });
    await app.request('/health');
    await app.request('/jobs/12345');
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain(
      'ocs3_http_request_duration_seconds_count{method="GET",route="/health",status="200"} 1',
    );
    // An unknown job: labelled by the route pattern, never by the raw path.
    expect(text).not.toContain('12345');
    expect(text).toContain('process_resident_memory_bytes');
  });
});

describe('health and readiness', () => {
  it('/health answers 200, /ready reflects its checks', async () => {
    expect((await harness().app.request('/health')).status).toBe(200);
    const notReady = harness({ ready: { ready: false, checks: { broker: 'disconnected' } } });
    const res = await notReady.app.request('/ready');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ready: false, checks: { broker: 'disconnected' } });
  });
});

describe('Digest authentication (when users are configured)', () => {
  it("answers Opencast's body-less probe with a Digest challenge and publishes nothing", async () => {
    const { app, sent } = harness({ auth: true });
    const res = await app.request('/distribution/s3', {
      method: 'POST',
      headers: { 'X-Requested-Auth': 'Digest' },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toMatch(/^Digest realm="Opencast", .*nonce="/);
    expect(sent).toHaveLength(0);
  });

  it('lets health checks through without credentials', async () => {
    const { app } = harness({ auth: true });
    expect((await app.request('/health')).status).toBe(200);
    expect((await app.request('/jobs/1')).status).toBe(401);
  });
});

describe('a mediapackage field that is a file name', () => {
  it.each(['mp.xml', '/tmp/mp.xml', '@/tmp/mp.xml', 'C:\\media\\mp.xml', '  mp.XML\n'])(
    '%j gets a hint to send the content, and nothing is published',
    async (value) => {
      const { app, sent } = harness();
      const res = await app.request(
        '/distribution/s3/distributesync',
        form({ channelId: 'c', mediapackage: value, elementId: 'x' }),
      );
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('INVALID_INPUT');
      expect(body.error.message).toMatch(/looks like a file name, not XML/);
      expect(body.error.message).toContain('curl --data-urlencode mediapackage@mediapackage.xml');
      expect(sent).toHaveLength(0);
    },
  );

  it('a file upload gets the same hint', async () => {
    const { app } = harness();
    const body = new FormData();
    body.set('channelId', 'c');
    body.set('elementId', 'x');
    body.set('mediapackage', new File(['<mediapackage/>'], 'mp.xml', { type: 'text/xml' }));
    const res = await app.request('/distribution/s3', { method: 'POST', body });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/is a file upload, not text; send the file's content/);
  });

  it.each(['not xml at all', 'x'.repeat(2000), '{"json": true}'])(
    'other text that is not XML keeps the XML error (%#)',
    async (value) => {
      const { app } = harness();
      const res = await app.request(
        '/distribution/s3',
        form({ channelId: 'c', mediapackage: value, elementId: 'x' }),
      );
      expect(res.status).toBe(400);
      expect(await res.text()).not.toMatch(/file name/);
    },
  );
});
