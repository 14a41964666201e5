/**
 * The product end to end: HTTP -> RabbitMQ -> worker -> S3 -> events and replies, against
 * the real broker and a real S3 protocol server, with Opencast's own fixtures.
 */
import type { Channel } from 'amqplib';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseElementArray } from '../../src/opencast/element-xml.js';
import { recordEvents, type EventRecorder, type RecordedEvent } from '../helpers/event-recorder.js';
import { readFixture } from '../helpers/fixtures.js';
import { postForm } from '../helpers/http.js';
import { startTestStack, type TestStack } from '../helpers/service.js';
import { waitFor, waitForValue } from '../helpers/wait-for.js';

const MP = 'efd6e4df-63b6-49af-be5f-15f598778877';

let stack: TestStack;
let recorder: EventRecorder | undefined;
let channel: Channel;
let events: RecordedEvent[] = [];
const video = randomBytes(3 * 1024 * 1024 + 17);

/** mediapackage.xml with its relative URLs pointing at the test's source server. */
function mediapackage(fixture = 'mediapackage.xml'): string {
  return readFixture(fixture).replace(
    /<url>([^<:]+)<\/url>/g,
    (_m, path: string) => `<url>${stack.sources.baseUrl}${path}</url>`,
  );
}

function post(path: string, fields: Record<string, string>): Promise<Response> {
  return postForm(`${stack.url}/distribution/s3${path}`, fields);
}

function sha(data: Buffer | undefined): string {
  return createHash('sha256')
    .update(data ?? Buffer.alloc(0))
    .digest('hex');
}

function eventFor(jobId: string, routingKey: string) {
  return waitForValue(
    () =>
      events.find(
        (e) => e.routingKey === routingKey && (e.event.data as { jobId?: string }).jobId === jobId,
      ),
    15_000,
    `${routingKey} of job ${jobId}`,
  );
}

const key = (element: string, file: string) => `mh_default_org/channelId/${MP}/${element}/${file}`;

beforeAll(async () => {
  stack = await startTestStack();
  stack.sources.set('video-presenter-delivery.mp4', video);
  stack.sources.set('video-presenter.mp4', randomBytes(1000));
  stack.sources.set('episode-dublincore.xml', '<dublincore>episode</dublincore>');
  stack.sources.set('series-dublincore.xml', '<dublincore>series</dublincore>');

  recorder = await recordEvents(stack.amqpUrl, stack.prefix, ['#']);
  ({ channel, events } = recorder);
}, 60_000);

afterAll(async () => {
  await recorder?.close();
  await (stack as TestStack | undefined)?.close();
});

describe('distributesync', () => {
  it('publishes one element where Opencast would, byte-identical', async () => {
    const res = await post('/distributesync', {
      channelId: 'channelId',
      mediapackage: mediapackage(),
      elementId: '["presenter-delivery"]',
      checkAvailability: 'false',
    });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body.startsWith('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><track ')).toBe(
      true,
    );
    expect(body).not.toContain('###');
    const [element] = parseElementArray(body);
    expect(element?.id).toBe('presenter-delivery');
    expect(element?.url).toBe(
      `${stack.baseUrl}${key('presenter-delivery', 'video-presenter-delivery.mp4')}`,
    );
    const stored = await stack.s3.readObject(
      stack.bucket,
      key('presenter-delivery', 'video-presenter-delivery.mp4'),
    );
    expect(sha(stored)).toBe(sha(video));
  });

  it('publishes several elements as a ###-joined array with the URLs of Opencast fixtures', async () => {
    const res = await post('/distributesync', {
      channelId: 'channelId',
      mediapackage: mediapackage(),
      elementId: '["presenter-delivery","episode-dc","series-dc"]',
      checkAvailability: 'false',
    });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body.split('###')).toHaveLength(3);
    const elements = parseElementArray(body);
    const urls = Object.fromEntries(elements.map((e) => [e.id, e.url]));
    // mediapackage_distributed.xml, with our base in place of http://XYZ.cloudfront.net/
    // (its episode catalog folder reads "episode-dce", a typo Opencast's test never compares).
    const expected = readFixture('mediapackage_distributed.xml').replaceAll(
      'http://XYZ.cloudfront.net/',
      stack.baseUrl,
    );
    expect(expected).toContain(`<url>${urls['presenter-delivery']}</url>`);
    expect(expected).toContain(`<url>${urls['series-dc']}</url>`);
    expect(urls['episode-dc']).toBe(
      `${stack.baseUrl}${key('episode-dc', 'episode-dublincore.xml')}`,
    );
    const catalog = await stack.s3.readObject(
      stack.bucket,
      key('series-dc', 'series-dublincore.xml'),
    );
    expect(catalog?.toString()).toBe('<dublincore>series</dublincore>');
  });

  it('checks availability when asked and reports it in the event', async () => {
    const res = await post('/distributesync', {
      channelId: 'avail',
      mediapackage: mediapackage(),
      elementId: '["episode-dc"]',
      checkAvailability: 'true',
    });
    expect(res.status).toBe(200);
    const jobId = res.headers.get('X-Job-Id') ?? '';
    const event = await eventFor(jobId, 'distribute.completed');
    const data = event.event.data as { elements: { available?: boolean }[] };
    // The object was just stored and its S3 URL answers, so the check finds it.
    expect(data.elements[0]?.available).toBe(true);
  });
});

describe('async distribute', () => {
  it('answers a QUEUED job that reaches FINISHED with the element array, and emits the event', async () => {
    const res = await post('', {
      channelId: 'channelId',
      mediapackage: mediapackage(),
      elementId: '["episode-dc"]',
      checkAvailability: 'false',
    });
    expect(res.status).toBe(200);
    const xml = await res.text();
    const jobId = /<job id="(\d+)"/.exec(xml)?.[1] ?? '';
    expect(xml).toContain('status="QUEUED"');

    const finished = await waitForValue(
      async () => {
        const job = await fetch(`${stack.url}/jobs/${jobId}`, {
          headers: { Accept: 'application/json' },
        });
        const json = (await job.json()) as { status: string; payload?: string };
        return json.status === 'FINISHED' ? json : undefined;
      },
      15_000,
      'job FINISHED',
    );
    const [element] = parseElementArray(finished.payload ?? '');
    expect(element?.url).toBe(`${stack.baseUrl}${key('episode-dc', 'episode-dublincore.xml')}`);

    const event = await eventFor(jobId, 'distribute.completed');
    expect(event.event).toMatchObject({
      specversion: '1.0',
      id: `${jobId}:distribute.completed`,
      type: 'org.opencastproject.distribution.s3.distribute.completed',
      subject: MP,
      data: {
        jobId,
        organization: 'mh_default_org',
        channelId: 'channelId',
        mediaPackageId: MP,
        elements: [
          {
            elementId: 'episode-dc',
            key: key('episode-dc', 'episode-dublincore.xml'),
            size: '<dublincore>episode</dublincore>'.length,
          },
        ],
      },
    });
  });
});

describe('retractsync', () => {
  it('removes the objects and succeeds again when they are gone', async () => {
    const fields = {
      channelId: 'retractme',
      mediapackage: mediapackage(),
      elementId: '["presenter-delivery","series-dc"]',
    };
    expect((await post('/distributesync', { ...fields, checkAvailability: 'false' })).status).toBe(
      200,
    );
    const prefix = `mh_default_org/retractme/${MP}/`;
    expect(await stack.s3.listKeys(stack.bucket, prefix)).toHaveLength(2);

    const first = await post('/retractsync', fields);
    expect(first.status).toBe(200);
    const returned = parseElementArray(await first.text());
    expect(returned.map((e) => e.id).sort()).toEqual(['presenter-delivery', 'series-dc']);
    expect(await stack.s3.listKeys(stack.bucket, prefix)).toEqual([]);

    const again = await post('/retractsync', fields);
    expect(again.status).toBe(200);
  });
});

describe('commands published straight to the exchange', () => {
  it('are executed and produce the completion event', async () => {
    const jobId = String(Date.now());
    const command = {
      version: 1,
      type: 'distribute',
      jobId,
      organization: 'tenant2',
      channelId: 'direct',
      mediapackage: mediapackage(),
      elementIds: ['series-dc'],
      checkAvailability: false,
    };
    channel.publish(
      `${stack.prefix}.commands`,
      'distribute',
      Buffer.from(JSON.stringify(command)),
      {
        persistent: true,
        contentType: 'application/json',
      },
    );
    const event = await eventFor(jobId, 'distribute.completed');
    expect((event.event.data as { organization: string }).organization).toBe('tenant2');
    const stored = await stack.s3.readObject(
      stack.bucket,
      `tenant2/direct/${MP}/series-dc/series-dublincore.xml`,
    );
    expect(stored?.toString()).toBe('<dublincore>series</dublincore>');
  });

  it('dead-letters a malformed message with a failure event and keeps consuming', async () => {
    const malformed = '{"jobId":"77","type":"distribute","elementIds":"all of them"}';
    channel.publish(`${stack.prefix}.commands`, 'distribute', Buffer.from(malformed), {
      persistent: true,
    });
    const rejected = await waitForValue(
      () =>
        events.find(
          (e) =>
            e.routingKey === 'command.rejected' &&
            (e.event.data as { jobId?: string }).jobId === '77',
        ),
      15_000,
      'command.rejected event',
    );
    expect((rejected.event.data as { error: { code: string } }).error.code).toBe('INVALID_INPUT');
    const parked = await waitForValue(
      async () => {
        const message = await channel.get(`${stack.prefix}.parked`, { noAck: true });
        return message === false ? undefined : message;
      },
      15_000,
      'parked message',
    );
    expect(parked.content.toString()).toBe(malformed);
    // The worker parks it itself, with its reason.
    expect(parked.properties.headers).toMatchObject({ 'x-ocs3-error-code': 'INVALID_INPUT' });

    const res = await post('/distributesync', {
      channelId: 'after-bad',
      mediapackage: mediapackage(),
      elementId: 'episode-dc',
      checkAvailability: 'false',
    });
    expect(res.status).toBe(200);
  });
});

describe('metrics', () => {
  /** The value of one sample in the Prometheus text, 0 while it has not been recorded. */
  async function sample(pattern: RegExp): Promise<number> {
    const text = await (await fetch(`${stack.url}/metrics`)).text();
    return Number(pattern.exec(text)?.[1] ?? 0);
  }
  const acked = /^ocs3_commands_handled_total\{disposition="ack"\} (\S+)$/m;
  const completed = /^ocs3_events_total\{routing_key="distribute.completed"\} (\S+)$/m;
  const written = /^ocs3_distributed_bytes_total (\S+)$/m;

  it('count handled commands, published events and written bytes', async () => {
    const before = await Promise.all([acked, completed, written].map(sample));
    const res = await post('/distributesync', {
      channelId: 'metrics',
      mediapackage: mediapackage(),
      elementId: '["series-dc"]',
      checkAvailability: 'false',
    });
    expect(res.status).toBe(200);
    // The ack follows the event, so wait for the counters rather than read them once.
    await waitFor(
      async () => (await sample(acked)) > before[0]! && (await sample(completed)) > before[1]!,
      5_000,
      'the command and event counters',
    );
    expect((await sample(written)) - before[2]!).toBe('<dublincore>series</dublincore>'.length);
  });
});

describe('bad requests change nothing and the service stays up', () => {
  async function nothingWritten(channelId: string) {
    expect(await stack.s3.listKeys(stack.bucket, `mh_default_org/${channelId}/`)).toEqual([]);
  }

  it.each([
    ['an unknown element', { elementId: '["nope"]' }, 400, 'ELEMENT_NOT_FOUND'],
    ['a missing channelId', { channelId: '' }, 400, 'channelId'],
    ['malformed JSON ids', { elementId: '["a"' }, 400, 'elementId'],
    ['malformed XML', { mediapackage: '<mediapackage' }, 400, 'XML_MALFORMED'],
    [
      'hostile XML',
      {
        mediapackage:
          '<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><mediapackage xmlns="http://mediapackage.opencastproject.org" id="x"><title>&b;</title></mediapackage>',
      },
      400,
      'XML_FORBIDDEN',
    ],
  ])('%s', async (_name, override, status, code) => {
    const channelId = `bad-${Math.random().toString(36).slice(2, 8)}`;
    const res = await post('/distributesync', {
      channelId,
      mediapackage: mediapackage(),
      elementId: '["presenter-delivery"]',
      checkAvailability: 'false',
      ...override,
    });
    expect(res.status).toBe(status);
    expect(await res.text()).toContain(code);
    await nothingWritten(channelId);
    expect((await fetch(`${stack.url}/health`)).status).toBe(200);
  });

  it('an unreachable source fails the job and leaves no partial publication', async () => {
    const withMissing = mediapackage().replace('series-dublincore.xml', 'missing.xml');
    const res = await post('/distributesync', {
      channelId: 'partial',
      mediapackage: withMissing,
      elementId: '["episode-dc","series-dc"]',
      checkAvailability: 'false',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('SOURCE_NOT_FOUND');
    await nothingWritten('partial');
    expect((await fetch(`${stack.url}/ready`)).status).toBe(200);
  });

  it('a FAILED job says why: error code in a header, code and message in the JSON', async () => {
    const res = await post('', {
      channelId: 'failed-job',
      mediapackage: mediapackage().replace('series-dublincore.xml', 'gone.xml'),
      elementId: '["series-dc"]',
      checkAvailability: 'false',
    });
    expect(res.status).toBe(200);
    const jobId = /<job id="(\d+)"/.exec(await res.text())?.[1] ?? '';
    const job = await waitForValue(
      async () => {
        const answer = await fetch(`${stack.url}/jobs/${jobId}.json`);
        const body = (await answer.json()) as { status: string; error?: unknown };
        return body.status === 'FAILED' ? { answer, body } : undefined;
      },
      15_000,
      `job ${jobId} FAILED`,
    );
    expect(job.answer.headers.get('X-Job-Error-Code')).toBe('SOURCE_NOT_FOUND');
    expect(job.body.error).toEqual({
      code: 'SOURCE_NOT_FOUND',
      message: expect.stringContaining('gone.xml') as unknown,
    });
    const xml = await fetch(`${stack.url}/jobs/${jobId}`);
    expect(xml.headers.get('X-Job-Error-Code')).toBe('SOURCE_NOT_FOUND');
  });
});
