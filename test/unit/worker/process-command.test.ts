import pino from 'pino';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import type { DistributionDeps } from '../../../src/distribution/distribute.js';
import type { JobReply } from '../../../src/contract/reply.js';
import type { ObjectStore, SourceFetcher } from '../../../src/distribution/ports.js';
import { createTargetResolver } from '../../../src/distribution/targets.js';
import { AppError } from '../../../src/errors.js';
import type { OutgoingEvent } from '../../../src/contract/event.js';
import { processCommand, type WorkerDeps } from '../../../src/worker/process-command.js';
import { readFixture } from '../../helpers/fixtures.js';

const SOURCE = 'http://sources.example.org/files/';
const MP = 'efd6e4df-63b6-49af-be5f-15f598778877';

/** An object store in memory: enough to see what the use cases write and delete. */
class MemoryStore implements ObjectStore {
  readonly objects = new Map<string, Buffer>();
  /** ETag and metadata of each object in `objects`. */
  readonly stats = new Map<string, { etag: string; metadata: Record<string, string> }>();
  failPut: AppError | undefined;
  puts = 0;

  async putObject(input: Parameters<ObjectStore['putObject']>[0]) {
    this.puts++;
    if (this.failPut !== undefined) throw this.failPut;
    const data = await buffer(input.body);
    this.objects.set(`${input.bucket}/${input.key}`, data);
    const stat = { etag: `"${this.puts}"`, metadata: { ...input.metadata } };
    this.stats.set(`${input.bucket}/${input.key}`, stat);
    return { size: data.length };
  }
  copyObject(): Promise<{ size: number }> {
    return Promise.reject(new Error('not used'));
  }
  deletePrefix(bucket: string, prefix: string) {
    let n = 0;
    for (const key of [...this.objects.keys()]) {
      if (key.startsWith(`${bucket}/${prefix}`)) {
        this.objects.delete(key);
        n++;
      }
    }
    return Promise.resolve(n);
  }
  deleteObject(bucket: string, key: string) {
    this.objects.delete(`${bucket}/${key}`);
    return Promise.resolve();
  }
  headObject(bucket: string, key: string) {
    return Promise.resolve(this.objects.get(`${bucket}/${key}`)?.length);
  }
  /** It honours If-None-Match (see createObject): no HEAD needed. */
  mustCheckBeforeCreate() {
    return Promise.resolve(false);
  }
  async createObject(input: Parameters<ObjectStore['putObject']>[0]) {
    if (this.objects.has(`${input.bucket}/${input.key}`)) return undefined;
    const { size } = await this.putObject(input);
    return { size, etag: this.stats.get(`${input.bucket}/${input.key}`)?.etag };
  }
  statObject(bucket: string, key: string) {
    const data = this.objects.get(`${bucket}/${key}`);
    const stat = this.stats.get(`${bucket}/${key}`);
    return Promise.resolve(
      data && { size: data.length, etag: stat?.etag, metadata: stat?.metadata ?? {} },
    );
  }
  deleteObjectIfMatch(bucket: string, key: string, etag: string) {
    if (this.stats.get(`${bucket}/${key}`)?.etag !== etag) return Promise.resolve(false);
    this.objects.delete(`${bucket}/${key}`);
    return Promise.resolve(true);
  }
}

function setup(files: Record<string, string> = {}) {
  const store = new MemoryStore();
  const sources: SourceFetcher = {
    assertAllowed: (url) => {
      if (!url.startsWith(SOURCE)) throw new AppError('SOURCE_FORBIDDEN', 'no');
    },
    open: (url) => {
      const body = files[url.slice(SOURCE.length)];
      if (body === undefined) return Promise.reject(new AppError('SOURCE_NOT_FOUND', `${url} 404`));
      return Promise.resolve({
        body: Readable.from([Buffer.from(body)]),
        contentLength: body.length,
        contentType: undefined,
      });
    },
  };
  const distribution: DistributionDeps = {
    store,
    sources,
    availability: {
      check: () => Promise.resolve({ result: 'available', detail: 'HTTP 200', tries: 1 }),
    },
    targets: createTargetResolver(new Map(), { bucket: 'b', baseUrl: 'http://cdn.example.org/' }),
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    logger: pino({ level: 'silent' }),
  };
  const events: OutgoingEvent[] = [];
  const replies: { replyTo: string; correlationId: string; reply: JobReply }[] = [];
  const deps: WorkerDeps = {
    distribution,
    publishEvent: (event) => {
      events.push(event);
      return Promise.resolve();
    },
    sendReply: (replyTo, correlationId, reply) => {
      replies.push({ replyTo, correlationId, reply });
      return Promise.resolve();
    },
    maxCommandBytes: 1024 * 1024,
    publishRetry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    clock: () => new Date('2024-10-01T09:00:00Z'),
    logger: pino({ level: 'silent' }),
  };
  return { store, events, replies, deps };
}

function command(overrides: Record<string, unknown> = {}) {
  const mediapackage = readFixture('mediapackage.xml').replace(
    /<url>([^<:]+)<\/url>/g,
    `<url>${SOURCE}$1</url>`,
  );
  return Buffer.from(
    JSON.stringify({
      version: 1,
      type: 'distribute',
      jobId: '42',
      organization: 'mh_default_org',
      channelId: 'engage-player',
      mediapackage,
      elementIds: ['episode-dc', 'series-dc'],
      checkAvailability: true,
      ...overrides,
    }),
  );
}

const files = { 'episode-dublincore.xml': '<e/>', 'series-dublincore.xml': '<s/>' };
const signal = new AbortController().signal;

describe('processCommand', () => {
  it('distributes, emits the completed event, replies RUNNING then FINISHED and acks', async () => {
    const { store, events, replies, deps } = setup(files);
    const delivery = { body: command(), replyTo: 'r', correlationId: 'c', deliveryCount: 0 };
    expect(await processCommand(delivery, deps, signal)).toBe('ack');
    expect(
      store.objects
        .get(`b/mh_default_org/engage-player/${MP}/series-dc/series-dublincore.xml`)
        ?.toString(),
    ).toBe('<s/>');
    expect(events.map((e) => e.routingKey)).toEqual(['distribute.completed']);
    expect(events[0]?.event.data.elements.map((e) => e.available)).toEqual([true, true]);
    expect(replies.map((r) => r.reply.status)).toEqual(['RUNNING', 'FINISHED']);
    expect(replies[1]?.correlationId).toBe('c');
    expect(replies[1]?.reply.payload?.split('###')).toHaveLength(2);
  });

  it('reports an unreachable published URL in the event and the reply, and still finishes', async () => {
    const { events, replies, deps } = setup(files);
    const check = { result: 'unreachable', detail: 'ECONNREFUSED', tries: 1 } as const;
    const unreachable = {
      ...deps.distribution,
      availability: { check: () => Promise.resolve(check) },
    };
    const delivery = { body: command(), replyTo: 'r', correlationId: 'c', deliveryCount: 0 };
    expect(await processCommand(delivery, { ...deps, distribution: unreachable }, signal)).toBe(
      'ack',
    );
    const elements = events[0]?.event.data.elements ?? [];
    expect(elements.map((e) => [e.available, e.urlCheck])).toEqual([
      [false, { result: 'unreachable', detail: 'ECONNREFUSED' }],
      [false, { result: 'unreachable', detail: 'ECONNREFUSED' }],
    ]);
    expect(replies[1]?.reply.status).toBe('FINISHED');
    expect(replies[1]?.reply.urlChecks).toEqual(
      elements.map((e) => ({
        elementId: e.elementId,
        url: e.url,
        result: 'unreachable',
        detail: 'ECONNREFUSED',
      })),
    );
  });

  it('sends no URL checks when none ran', async () => {
    const { events, replies, deps } = setup(files);
    const delivery = {
      body: command({ checkAvailability: false }),
      replyTo: 'r',
      correlationId: 'c',
      deliveryCount: 0,
    };
    expect(await processCommand(delivery, deps, signal)).toBe('ack');
    expect(events[0]?.event.data.elements.map((e) => e.urlCheck)).toEqual([undefined, undefined]);
    expect(replies[1]?.reply.urlChecks).toBeUndefined();
  });

  it('retracts what was distributed and returns the elements unchanged', async () => {
    const { store, events, deps } = setup(files);
    await processCommand({ body: command(), deliveryCount: 0 }, deps, signal);
    expect(store.objects.size).toBe(2);
    const delivery = { body: command({ type: 'retract' }), deliveryCount: 0 };
    expect(await processCommand(delivery, deps, signal)).toBe('ack');
    expect(store.objects.size).toBe(0);
    expect(events.at(-1)?.routingKey).toBe('retract.completed');
    expect(events.at(-1)?.event.data.elements.map((e) => e.size)).toEqual([1, 1]);
  });

  it('dead-letters a message that is not a command, with a rejected event and a FAILED reply', async () => {
    const { events, replies, deps } = setup(files);
    const delivery = {
      body: Buffer.from('{"jobId":"9","type":1}'),
      replyTo: 'r',
      deliveryCount: 0,
    };
    expect(await processCommand(delivery, deps, signal)).toBe('dead-letter');
    expect(events[0]?.routingKey).toBe('command.rejected');
    expect(events[0]?.event.id).toBe('9:command.rejected');
    expect(replies.map((r) => r.reply.status)).toEqual(['FAILED']);
  });

  it('refuses a command routed under another key than its type, and writes nothing', async () => {
    const { store, events, replies, deps } = setup(files);
    const delivery = { body: command(), routingKey: 'retract', replyTo: 'r', deliveryCount: 0 };
    expect(await processCommand(delivery, deps, signal)).toBe('dead-letter');
    expect(store.puts).toBe(0);
    expect(events.map((e) => e.event.id)).toEqual(['42:command.rejected']);
    expect(events[0]?.event.data.error?.message).toContain("routing key 'retract'");
    expect(replies.map((r) => [r.correlationId, r.reply.status])).toEqual([['42', 'FAILED']]);
  });

  it('rejects an oversize command without reading it, under a hash of its body', async () => {
    const { events, deps } = setup(files);
    const body = command();
    const small = { ...deps, maxCommandBytes: body.length - 1 };
    const delivery = { body, messageId: 'x'.repeat(65), deliveryCount: 0 };
    expect(await processCommand(delivery, small, signal)).toBe('dead-letter');
    const [event] = events;
    // The job id inside is not read: a body over the limit is not parsed at all.
    expect(event?.event.data.jobId).toBeUndefined();
    expect(event?.event.id).toMatch(/^[0-9a-f]{32}:command\.rejected$/);
    expect(event?.event.data.error?.message).toMatch(/more than \d+ allowed/);
  });

  it('acks a permanent failure with a failed event, and rolls back what it wrote', async () => {
    const { store, events, deps } = setup({ 'episode-dublincore.xml': '<e/>' });
    const older = `b/mh_default_org/engage-player/${MP}/episode-dc/older-file.xml`;
    store.objects.set(older, Buffer.from('published before'));
    expect(await processCommand({ body: command(), deliveryCount: 0 }, deps, signal)).toBe('ack');
    // Only the object this run wrote is gone; an older file of the folder stays.
    expect([...store.objects.keys()]).toEqual([older]);
    expect(events[0]?.routingKey).toBe('distribute.failed');
    expect(events[0]?.event.data.error?.code).toBe('SOURCE_NOT_FOUND');
    expect(events[0]?.event.data.mediaPackageId).toBe(MP);
  });

  it('uploads the elements of a job side by side', async () => {
    const { store, events, deps } = setup(files);
    const { sources } = deps.distribution;
    // Each source opens only once the other was asked for: one after another would hang.
    let asked = 0;
    let bothAsked: () => void = () => undefined;
    const both = new Promise<void>((resolve) => (bothAsked = resolve));
    const paired: SourceFetcher = {
      ...sources,
      open: async (url, openSignal) => {
        if (++asked === 2) bothAsked();
        await both;
        return sources.open(url, openSignal);
      },
    };
    const body = command();
    const concurrent = { ...deps, distribution: { ...deps.distribution, sources: paired } };
    expect(await processCommand({ body, deliveryCount: 0 }, concurrent, signal)).toBe('ack');
    expect(events[0]?.routingKey).toBe('distribute.completed');
    expect(store.objects.size).toBe(2);
  });

  it('rolls back what every element created when one fails, also those still running', async () => {
    const { store, events, deps } = setup(files);
    const { sources } = deps.distribution;
    // The episode finishes only after the series failed: its object is removed all the same.
    let seriesFailed: () => void = () => undefined;
    const failed = new Promise<void>((resolve) => (seriesFailed = resolve));
    const racing: SourceFetcher = {
      ...sources,
      open: async (url, openSignal) => {
        if (url.endsWith('series-dublincore.xml')) {
          seriesFailed();
          throw new AppError('SOURCE_NOT_FOUND', `${url} 404`);
        }
        await failed;
        return sources.open(url, openSignal);
      },
    };
    const body = command();
    const failing = { ...deps, distribution: { ...deps.distribution, sources: racing } };
    expect(await processCommand({ body, deliveryCount: 0 }, failing, signal)).toBe('ack');
    expect(events[0]?.routingKey).toBe('distribute.failed');
    expect(events[0]?.event.data.error?.code).toBe('SOURCE_NOT_FOUND');
    expect(store.puts).toBe(1);
    expect(store.objects.size).toBe(0);
  });

  it('never deletes an object a failed republish overwrote', async () => {
    const { store, deps } = setup({ 'episode-dublincore.xml': '<e v2/>' });
    const live = `b/mh_default_org/engage-player/${MP}/episode-dc/episode-dublincore.xml`;
    store.objects.set(live, Buffer.from('<e v1/>'));
    expect(await processCommand({ body: command(), deliveryCount: 0 }, deps, signal)).toBe('ack');
    // series-dc failed (no source); the live episode catalog stays, in its new version.
    expect(store.objects.get(live)?.toString()).toBe('<e v2/>');
  });

  it('requeues, not fails, a command whose completion cannot be announced', async () => {
    const { store, events, deps } = setup(files);
    const down = {
      ...deps,
      publishEvent: (event: OutgoingEvent) => {
        if (event.routingKey === 'distribute.completed') {
          return Promise.reject(new AppError('BROKER_UNAVAILABLE', 'still down'));
        }
        events.push(event);
        return Promise.resolve();
      },
    };
    await expect(
      processCommand({ body: command(), deliveryCount: 0 }, down, signal),
    ).rejects.toMatchObject({ code: 'BROKER_UNAVAILABLE' });
    expect(events).toEqual([]);
    expect(store.objects.size).toBe(2);
  });

  it('retries a transient failure, then parks the command', async () => {
    const { store, events, deps } = setup(files);
    store.failPut = new AppError('STORAGE_UNAVAILABLE', 'S3 is down');
    const body = command({ elementIds: ['episode-dc'] });
    expect(await processCommand({ body, deliveryCount: 0 }, deps, signal)).toBe('dead-letter');
    // Two attempts (retry.attempts) of the one element.
    expect(store.puts).toBe(2);
    expect(events[0]?.event.data.error).toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
      retryable: true,
    });
  });

  it('hands the command back when shutdown aborts it', async () => {
    const { store, events, deps } = setup(files);
    const controller = new AbortController();
    store.failPut = new AppError('STORAGE_UNAVAILABLE', 'aborted');
    controller.abort();
    expect(
      await processCommand({ body: command(), deliveryCount: 0 }, deps, controller.signal),
    ).toBe('requeue');
    expect(events).toEqual([]);
  });

  it('lets an event publish failure propagate so the broker redelivers', async () => {
    const { deps } = setup(files);
    const failing = { ...deps, publishEvent: () => Promise.reject(new Error('broker gone')) };
    await expect(
      processCommand({ body: command(), deliveryCount: 0 }, failing, signal),
    ).rejects.toThrow('broker gone');
  });

  it('gives rejected messages without a job id distinct event ids', async () => {
    const { events, deps } = setup(files);
    await processCommand({ body: Buffer.from('not json'), deliveryCount: 0 }, deps, signal);
    await processCommand({ body: Buffer.from('also not'), deliveryCount: 0 }, deps, signal);
    await processCommand(
      { body: Buffer.from('{}'), messageId: 'm-1', deliveryCount: 0 },
      deps,
      signal,
    );
    const ids = events.map((e) => e.event.id);
    expect(new Set(ids).size).toBe(3);
    expect(ids[2]).toBe('m-1:command.rejected');
  });

  it('retries a transient event publish failure instead of redoing the uploads', async () => {
    const { store, events, deps } = setup(files);
    let failures = 1;
    const flaky = {
      ...deps,
      publishEvent: (event: OutgoingEvent) => {
        if (failures-- > 0) return Promise.reject(new AppError('BROKER_UNAVAILABLE', 'blip'));
        events.push(event);
        return Promise.resolve();
      },
    };
    expect(await processCommand({ body: command(), deliveryCount: 0 }, flaky, signal)).toBe('ack');
    expect(store.puts).toBe(2);
    expect(events.map((e) => e.routingKey)).toEqual(['distribute.completed']);
  });

  it('goes on when the RUNNING reply cannot be sent (progress is best-effort)', async () => {
    const { replies, deps } = setup(files);
    const blocked = {
      ...deps,
      sendReply: (replyTo: string, correlationId: string, reply: JobReply) => {
        if (reply.status === 'RUNNING') {
          return Promise.reject(new AppError('BROKER_UNAVAILABLE', 'blocked'));
        }
        replies.push({ replyTo, correlationId, reply });
        return Promise.resolve();
      },
    };
    const delivery = { body: command(), replyTo: 'r', deliveryCount: 0 };
    expect(await processCommand(delivery, blocked, signal)).toBe('ack');
    expect(replies.map((r) => r.reply.status)).toEqual(['FINISHED']);
  });

  it('runs a command whose reply address is refused, without replies', async () => {
    const { events, deps } = setup(files);
    const refusing = {
      ...deps,
      sendReply: () => Promise.reject(new AppError('INVALID_INPUT', 'not a reply queue')),
    };
    const delivery = { body: command(), replyTo: 'ocs3.work', deliveryCount: 0 };
    expect(await processCommand(delivery, refusing, signal)).toBe('ack');
    expect(events.map((e) => e.routingKey)).toEqual(['distribute.completed']);
  });

  it('fails an element whose mimetype cannot be a Content-Type, before writing', async () => {
    const { store, events, deps } = setup(files);
    const body = JSON.parse(command().toString()) as { mediapackage: string };
    body.mediapackage = body.mediapackage.replace(
      '<mimetype>text/xml</mimetype>',
      '<mimetype>text/xml&#13;&#10;X-Evil: 1</mimetype>',
    );
    const delivery = {
      body: Buffer.from(JSON.stringify({ ...JSON.parse(command().toString()), ...body })),
      deliveryCount: 0,
    };
    expect(await processCommand(delivery, deps, signal)).toBe('ack');
    expect(store.puts).toBe(0);
    expect(events[0]?.event.data.error?.code).toBe('XML_INVALID');
  });
});

describe('processCommand with Opencast jobs', () => {
  function withReports(deps: WorkerDeps, fail = 0) {
    const reports: JobReply[] = [];
    let failures = fail;
    const reportOpencastJob = (report: JobReply) => {
      if (failures-- > 0) return Promise.reject(new AppError('BROKER_UNAVAILABLE', 'down'));
      reports.push(report);
      return Promise.resolve();
    };
    return { reports, deps: { ...deps, reportOpencastJob } };
  }

  it('reports RUNNING then FINISHED with the ### payload before acking', async () => {
    const { deps: base, replies } = setup(files);
    const { reports, deps } = withReports(base);
    const delivery = { body: command({ opencastJob: true }), deliveryCount: 0 };
    expect(await processCommand(delivery, deps, signal)).toBe('ack');
    expect(reports.map((r) => [r.jobId, r.status])).toEqual([
      ['42', 'RUNNING'],
      ['42', 'FINISHED'],
    ]);
    expect(reports[1]?.payload?.split('###')).toHaveLength(2);
    // Commands of Opencast jobs carry no reply queue: nothing goes to a requester.
    expect(replies).toHaveLength(0);
  });

  it('reports FAILED with the error code and message', async () => {
    const { deps: base } = setup({});
    const { reports, deps } = withReports(base);
    const delivery = { body: command({ opencastJob: true }), deliveryCount: 0 };
    expect(await processCommand(delivery, deps, signal)).toBe('ack');
    expect(reports.at(-1)?.status).toBe('FAILED');
    expect(reports.at(-1)?.error?.code).toBe('SOURCE_NOT_FOUND');
  });

  it('retries a report the broker did not take, and fails the delivery when it never does', async () => {
    const { deps: base } = setup(files);
    const flaky = withReports(base, 1);
    const delivery = { body: command({ opencastJob: true }), deliveryCount: 0 };
    expect(await processCommand(delivery, flaky.deps, signal)).toBe('ack');
    expect(flaky.reports.at(-1)?.status).toBe('FINISHED');
    const down = withReports(base, 100);
    await expect(processCommand(delivery, down.deps, signal)).rejects.toThrow('down');
  });

  it('reports a refused Opencast-job command as FAILED, so the job does not stay RUNNING', async () => {
    const { deps: base } = setup(files);
    const { reports, deps } = withReports(base);
    const body = command({ opencastJob: true });
    const delivery = { body, routingKey: 'retract', deliveryCount: 0 };
    expect(await processCommand(delivery, deps, signal)).toBe('dead-letter');
    expect(reports.map((r) => [r.jobId, r.status, r.error?.code])).toEqual([
      ['42', 'FAILED', 'INVALID_INPUT'],
    ]);
  });

  it('reports nothing for a command that is not an Opencast job', async () => {
    const { deps: base } = setup(files);
    const { reports, deps } = withReports(base);
    await processCommand({ body: command(), deliveryCount: 0 }, deps, signal);
    expect(reports).toHaveLength(0);
  });
});
