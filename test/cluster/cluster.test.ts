/**
 * The service on a three-node RabbitMQ cluster (`npm run test:cluster`) whose consumer
 * timeout is cut from 30 min to 10 s:
 * - commands that run longer than the consumer timeout run once, and run again elsewhere
 *   when their worker dies after handing them over (docs/messages.md);
 * - the node leading the quorum work queue stops in the middle of a burst of distributions;
 *   every accepted job still ends with its event and its objects, and the service carries
 *   on through the other nodes.
 * The nodes run beside the machine's own broker, which is never touched.
 */
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaseNames } from '../../src/messaging/lease-topology.js';
import { postForm } from '../helpers/http.js';
import { startFaultProxy, testPrefix, type FaultProxy } from '../helpers/rabbit.js';
import { startTestStack, type TestStack } from '../helpers/service.js';
import { waitFor } from '../helpers/wait-for.js';
import { startTestCluster, type TestCluster } from './rabbit-cluster.js';

interface SeenEvent {
  readonly routingKey: string;
  readonly jobId: string;
}

let cluster: TestCluster | undefined;
let stack: TestStack | undefined;
let observer: ChannelModel | undefined;
const events: SeenEvent[] = [];
const prefix = testPrefix();

function live(): TestStack {
  if (stack === undefined) throw new Error('the stack did not start');
  return stack;
}

function nodes(): TestCluster {
  if (cluster === undefined) throw new Error('the cluster did not start');
  return cluster;
}

/** Consumes every event of the prefix into `events`, through `url`, from a quorum queue. */
async function observe(url: string): Promise<ChannelModel> {
  const model = await connect(url);
  model.on('error', () => undefined);
  const channel: Channel = await model.createChannel();
  const queue = `${prefix}.test-events`;
  await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.bindQueue(queue, `${prefix}.events`, '#');
  await channel.consume(
    queue,
    (message) => {
      if (message === null) return;
      const body = JSON.parse(message.content.toString()) as { data: { jobId?: string } };
      events.push({ routingKey: message.fields.routingKey, jobId: body.data.jobId ?? '' });
      channel.ack(message);
    },
    { noAck: false },
  );
  return model;
}

function mediapackage(id: string, file: string): string {
  return (
    `<mediapackage xmlns="http://mediapackage.opencastproject.org" id="${id}"><media>` +
    '<track id="t1" type="presenter/delivery"><mimetype>video/mp4</mimetype>' +
    `<url>${live().sources.baseUrl}${file}</url></track></media></mediapackage>`
  );
}

/** Posts an async distribution; resolves with its job id, or undefined when not accepted. */
async function distribute(n: number): Promise<string | undefined> {
  const res = await postForm(`${live().url}/distribution/s3`, {
    channelId: 'cluster',
    mediapackage: mediapackage(`mp-${String(n)}`, `f${String(n)}.mp4`),
    elementId: 't1',
    checkAvailability: 'false',
  });
  const text = await res.text();
  if (res.status !== 200) return undefined;
  const id = /<job id="(\d+)"/.exec(text)?.[1];
  if (id === undefined) throw new Error(`no job id in ${text}`);
  return id;
}

const sizeOf = (n: number): number => 256 * 1024 + n;

beforeAll(async () => {
  cluster = await startTestCluster({
    // Item 15's test shortens RabbitMQ's 30 min consumer timeout; the broker checks it on
    // each channel tick (60 s by default), so ticks come every second here.
    extraConfig: ['consumer_timeout = 10000'],
    rabbitAppEnv: ['{channel_tick_interval, 1000}'],
  });
}, 300_000);

afterAll(async () => {
  await cluster?.close();
}, 180_000);

async function startFailoverStack(): Promise<void> {
  const urls = nodes().nodes.map((node) => node.url);
  stack = await startTestStack(
    {
      AMQP_URL: urls.join(','),
      WORKER_CONCURRENCY: '3',
      SOURCE_READ_TIMEOUT_MS: '20000',
      S3_MAX_ATTEMPTS: '3',
    },
    // The cluster goes away as a whole; nothing to delete on it.
    { url: urls.join(','), prefix, close: () => Promise.resolve() },
  );
  // A second worker process that prefers another node, as a deployment would spread them.
  await stack.startAnother({ ROLE: 'worker', AMQP_URL: [...urls.slice(1), urls[0]].join(',') });
}

/** A stack of its own (API only; the tests start the workers) with a short handover. */
async function startLongStack(): Promise<TestStack> {
  const urls = nodes()
    .nodes.map((node) => node.url)
    .join(',');
  return startTestStack(
    { ROLE: 'api', AMQP_URL: urls, SYNC_TIMEOUT_MS: '120000', SOURCE_READ_TIMEOUT_MS: '20000' },
    { url: urls, prefix: testPrefix(), close: () => Promise.resolve() },
  );
}

/** Hand over after 3 s (the broker times out at 10 s); leases checked every 5 s, expire after 15 s. */
const HANDOVER = { AMQP_HANDOVER_AFTER_MS: '3000', AMQP_LEASE_CHECK_MS: '5000' };

async function distributeSlow(on: TestStack, file: string): Promise<string> {
  const res = await postForm(`${on.url}/distribution/s3`, {
    channelId: 'long',
    mediapackage:
      `<mediapackage xmlns="http://mediapackage.opencastproject.org" id="mp-${file}"><media>` +
      '<track id="t1" type="presenter/delivery"><mimetype>video/mp4</mimetype>' +
      `<url>${on.sources.baseUrl}${file}</url></track></media></mediapackage>`,
    elementId: 't1',
    checkAvailability: 'false',
  });
  const id = /<job id="(\d+)"/.exec(await res.text())?.[1];
  if (res.status !== 200 || id === undefined)
    throw new Error(`not accepted: ${String(res.status)}`);
  return id;
}

async function statusOf(on: TestStack, id: string): Promise<string> {
  const res = await fetch(`${on.url}/jobs/${id}.json`);
  return ((await res.json()) as { status: string }).status;
}

const LONG_SIZE = 2 * 1024 * 1024;

describe('commands that run longer than the consumer timeout', () => {
  let long: TestStack | undefined;
  let proxy: FaultProxy | undefined;
  const on = (): TestStack => {
    if (long === undefined) throw new Error('the stack did not start');
    return long;
  };
  beforeAll(async () => {
    long = await startLongStack();
  }, 120_000);
  afterAll(async () => {
    await long?.close().catch(() => undefined);
    await proxy?.close();
  }, 120_000);

  it('are redelivered while running without the handover (the timeout is real)', async () => {
    const control = await on().startAnother({ ROLE: 'worker', AMQP_HANDOVER_AFTER_MS: '0' });
    try {
      on().sources.setSlow('control.mp4', LONG_SIZE, 40_000);
      await distributeSlow(on(), 'control.mp4');
      await waitFor(
        () => (on().sources.hits.get('control.mp4') ?? 0) >= 2,
        60_000,
        'the consumer timeout to redeliver the command',
        200,
      );
    } finally {
      await control.close();
      // The command goes on being redelivered: keep it from the next tests' workers.
      const admin = await connect(nodes().nodes[0]?.url ?? '');
      const channel = await admin.createChannel();
      await channel.purgeQueue(`${on().prefix}.work`);
      await admin.close();
    }
  });

  it('run once to the end when handed over in time', async () => {
    const worker = await on().startAnother({ ROLE: 'worker', ...HANDOVER });
    try {
      on().sources.setSlow('long.mp4', LONG_SIZE, 25_000);
      const id = await distributeSlow(on(), 'long.mp4');
      await waitFor(async () => (await statusOf(on(), id)) === 'FINISHED', 90_000, 'the job', 500);
      // Fetched once: no second run started while the first went on past the timeout.
      expect(on().sources.hits.get('long.mp4')).toBe(1);
      const key = 'mh_default_org/long/mp-long.mp4/t1/long.mp4';
      expect((await on().s3.readObject(on().bucket, key))?.length).toBe(LONG_SIZE);
    } finally {
      await worker.close();
    }
  });

  it('run again elsewhere when the worker holding the lease dies', async () => {
    const first = nodes().nodes[0];
    if (first === undefined) throw new Error('no node');
    proxy = await startFaultProxy(first.url);
    // Reaches the cluster only through the proxy: cutting it is this worker's death.
    const doomed = await on().startAnother({ ROLE: 'worker', AMQP_URL: proxy.url, ...HANDOVER });
    on().sources.setSlow('dying.mp4', LONG_SIZE, 20_000);
    const before = new Set((await nodes().queues()).map((q) => q.name));
    const id = await distributeSlow(on(), 'dying.mp4');
    // Handed over: a lease of this prefix that did not exist before (the earlier test's
    // lease stays until it expires).
    const leases = leaseNames(on().prefix).queue('');
    await waitFor(
      async () =>
        (await nodes().queues()).some((q) => q.name.startsWith(leases) && !before.has(q.name)),
      30_000,
      'the handover (a new lease)',
      200,
    );
    proxy.setAccepting(false);
    proxy.dropConnections();
    await doomed.close(); // its upload stops; its lease is not released, it expires
    expect(on().sources.hits.get('dying.mp4')).toBe(1);

    const heir = await on().startAnother({ ROLE: 'worker', ...HANDOVER });
    try {
      await waitFor(async () => (await statusOf(on(), id)) === 'FINISHED', 120_000, 'the job', 500);
      expect(on().sources.hits.get('dying.mp4')).toBe(2);
      const key = 'mh_default_org/long/mp-dying.mp4/t1/dying.mp4';
      expect((await on().s3.readObject(on().bucket, key))?.length).toBe(LONG_SIZE);
    } finally {
      await heir.close();
    }
  });
});

// Last: it leaves the cluster with two nodes.
describe('the node leading the work queue stops in the middle of a burst', () => {
  beforeAll(startFailoverStack, 120_000);
  afterAll(async () => {
    await observer?.close().catch(() => undefined);
    await stack?.close().catch(() => undefined);
  }, 120_000);

  it('loses no accepted command, and the service goes on through the other nodes', async () => {
    const leader = await nodes().leaderOf(`${prefix}.work`);
    const survivor = nodes().nodes.find((node) => node !== leader);
    if (survivor === undefined) throw new Error('no other node');
    observer = await observe(survivor.url);

    const total = 60;
    for (let n = 0; n < total; n++) live().sources.setGenerated(`f${String(n)}.mp4`, sizeOf(n));
    const firstWave = await Promise.all(Array.from({ length: 40 }, (_, n) => distribute(n)));
    expect(firstWave.every((id) => id !== undefined)).toBe(true);
    const accepted = new Map<string, number>(firstWave.map((id, n) => [id ?? '', n]));

    const done = (): Set<string> =>
      new Set(events.filter((e) => e.routingKey.startsWith('distribute.')).map((e) => e.jobId));
    await waitFor(() => done().size >= 5, 60_000, 'the first jobs to finish');
    expect(done().size).toBeLessThan(40); // still in the middle of the burst
    await nodes().stopNode(leader);

    // More commands while the service fails over and after: those it accepts count too.
    for (let n = 40; n < total; n++) {
      const id = await distribute(n);
      if (id !== undefined) accepted.set(id, n);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(accepted.size).toBeGreaterThan(40);
    await waitFor(
      () => [...accepted.keys()].every((id) => done().has(id)),
      150_000,
      'a terminal event for every accepted job',
      500,
    );
    const failed = events.filter((e) => e.routingKey !== 'distribute.completed');
    expect(failed).toEqual([]);
    for (const n of accepted.values()) {
      const key = `mh_default_org/cluster/mp-${String(n)}/t1/f${String(n)}.mp4`;
      const stored = await live().s3.readObject(live().bucket, key);
      expect(stored?.length, key).toBe(sizeOf(n));
    }
    // Reconnected: the API accepts again and the work queue has a new leader.
    expect(live().service.broker.isConnected()).toBe(true);
    expect(await distribute(0)).toBeDefined();
    expect((await nodes().leaderOf(`${prefix}.work`)).name).not.toBe(leader.name);
    console.log(
      `cluster failover: ${String(accepted.size)} accepted, ${String(events.length)} events ` +
        `(${String(events.length - done().size)} repeated for redelivered commands)`,
    );
  });
});
