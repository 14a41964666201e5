/**
 * The service on a three-node RabbitMQ cluster (`npm run test:cluster`): the node leading the
 * quorum work queue stops in the middle of a burst of distributions; every accepted job
 * still ends with its event and its objects, and the service carries on through the other
 * nodes. The nodes run beside the machine's own broker, which is never touched.
 */
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postForm } from '../helpers/http.js';
import { testPrefix } from '../helpers/rabbit.js';
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
  const urls = cluster.nodes.map((node) => node.url);
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
}, 300_000);

afterAll(async () => {
  await observer?.close().catch(() => undefined);
  await stack?.close().catch(() => undefined);
  await cluster?.close();
}, 180_000);

describe('the node leading the work queue stops in the middle of a burst', () => {
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
