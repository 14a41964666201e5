import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRequestValidator } from '../../../src/compose/request-validator.js';
import { createTargetResolver } from '../../../src/distribution/targets.js';
import { createApp } from '../../../src/http/app.js';
import {
  createMediapackageParser,
  type MediapackageParser,
} from '../../../src/http/mediapackage-parser.js';
import { parseMediaPackage, pickElements } from '../../../src/opencast/mediapackage.js';
import { failure } from '../../helpers/app-error.js';
import { prefixSources, testJobService } from '../../helpers/app-harness.js';
import { LARGE_MEDIAPACKAGE_SOURCE, largeMediapackage } from '../../helpers/large-mediapackage.js';

// Issue 8 item 9: large mediapackages were parsed on the event loop, any number at once.
const MiB = 1024 * 1024;
// Threads compile their TypeScript on start and parse megabytes: generous on a loaded machine.
vi.setConfig({ testTimeout: 120_000 });
const large = largeMediapackage(MiB);
const limits = { maxBytes: 5 * MiB };
const parsers: MediapackageParser[] = [];

function parser(threads = 1, maxQueued = 4): MediapackageParser {
  const created = createMediapackageParser({ threads, maxQueued, inlineBytes: 64 * 1024, limits });
  parsers.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(parsers.splice(0).map((p) => p.close()));
});

describe('mediapackage parser', () => {
  it('parses a large mediapackage on a thread to the same elements as inline', async () => {
    const ids = ['track-3', 'track-1000', 'missing'];
    const onThread = await parser().parse(large, ids);
    expect(onThread).toEqual(pickElements(parseMediaPackage(large, limits), ids));
    expect(onThread.elements.map((e) => e.id)).toEqual(['track-3', 'track-1000']);
  });

  it('keeps the event loop turning while a large mediapackage is parsed', async () => {
    let turns = 0;
    let parsing = true;
    const tick = (): void => {
      turns++;
      if (parsing) setImmediate(tick);
    };
    setImmediate(tick);
    await parser().parse(large, ['track-1']);
    parsing = false;
    // Inline, a parse is one synchronous stretch: no turn of the loop fits inside it.
    expect(turns).toBeGreaterThan(1);
  });

  it("reports the XML's own error codes from the thread", async () => {
    const doctype = large.replace('<mediapackage ', '<!DOCTYPE x><mediapackage ');
    const error = await failure(parser().parse(doctype, ['track-1']));
    expect(error.code).toBe('XML_FORBIDDEN');
    const tooLarge = await failure(parser().parse(largeMediapackage(6 * MiB), ['track-1']));
    expect(tooLarge.code).toBe('XML_TOO_LARGE');
  });

  it('refuses with OVERLOADED beyond the threads and the queue, and serves the rest', async () => {
    const p = parser(1, 1);
    const first = p.parse(large, ['track-1']);
    const second = p.parse(large, ['track-2']);
    const third = await failure(p.parse(large, ['track-3']));
    expect(third.code).toBe('OVERLOADED');
    expect((await first).elements[0]?.id).toBe('track-1');
    expect((await second).elements[0]?.id).toBe('track-2');
    // Small ones never wait for a thread.
    await expect(p.parse(largeMediapackage(10_000), ['track-0'])).resolves.toBeDefined();
  });

  it('refuses queued and new parses with SHUTTING_DOWN after close', async () => {
    const p = parser(1, 2);
    const running = failure(p.parse(large, ['track-1']));
    const queued = failure(p.parse(large, ['track-2']));
    await p.close();
    expect((await running).code).toBe('SHUTTING_DOWN');
    expect((await queued).code).toBe('SHUTTING_DOWN');
    expect((await failure(p.parse(large, ['track-3']))).code).toBe('SHUTTING_DOWN');
  });
});

describe('distribution routes with the parser', () => {
  function app(p: MediapackageParser) {
    const sent: string[] = [];
    const jobs = testJobService({ onSend: (command) => sent.push(command.type) });
    const sources = prefixSources(LARGE_MEDIAPACKAGE_SOURCE);
    const targets = createTargetResolver(new Map(), { bucket: 'b', baseUrl: 'http://cdn.test/' });
    return {
      sent,
      app: createApp({
        jobs,
        validate: createRequestValidator({ sources, targets, xmlLimits: limits }, p),
        syncTimeoutMs: 5000,
        defaultOrganization: 'mh_default_org',
        readiness: () => Promise.resolve({ ready: true, checks: {} }),
        maxBodyBytes: 16 * MiB,
        logger: pino({ level: 'silent' }),
      }),
    };
  }

  const post = (elementId: string): RequestInit => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ channelId: 'engage-player', mediapackage: large, elementId }),
  });

  it('accepts a large request checked on a thread and refuses an unknown element with 400', async () => {
    const { app: api, sent } = app(parser());
    expect((await api.request('/distribution/s3', post('["track-7"]'))).status).toBe(200);
    const missing = await api.request('/distribution/s3', post('["nope"]'));
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { code: 'ELEMENT_NOT_FOUND' } });
    expect(sent).toHaveLength(1);
  });

  it('answers 503 OVERLOADED with Retry-After when too many large requests wait', async () => {
    const { app: api, sent } = app(parser(1, 0));
    const answers = await Promise.all(
      [1, 2, 3].map(async (n) => api.request('/distribution/s3', post(`["track-${n}"]`))),
    );
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses[0]).toBe(200);
    expect(statuses).toContain(503);
    const refused = answers.find((res) => res.status === 503);
    expect(refused?.headers.get('Retry-After')).toBe('10');
    expect(await refused?.json()).toMatchObject({ error: { code: 'OVERLOADED' } });
    expect(sent).toHaveLength(statuses.filter((s) => s === 200).length);
  });
});
