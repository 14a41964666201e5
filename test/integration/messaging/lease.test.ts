/**
 * The long-command handover on the machine's broker (its consumer timeout is the default
 * 30 min; the cluster test shows the handover beating a real 10 s timeout): a command that
 * runs past `handoverAfterMs` is acknowledged early, runs once, and its resume copies end
 * with it; a redelivered original of a handed-over command is not run a second time.
 */
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../../src/messaging/broker.js';
import type { Delivery } from '../../../src/messaging/broker.js';
import { leaseNames } from '../../../src/messaging/lease-topology.js';
import {
  deleteTestTopology,
  recordingLogger,
  startTestBroker,
  waitFor,
  type TestBroker,
} from '../../helpers/rabbit.js';

let testBroker: TestBroker;
let admin: ChannelModel;
let ch: Channel;
const open: Broker[] = [];
const log = recordingLogger();
const leaseQueues: string[] = [];

async function start(): Promise<Broker> {
  const broker = await Broker.connect({
    url: testBroker.url,
    prefix: testBroker.prefix,
    deliveryLimit: 3,
    logger: log,
    reconnectMaxDelayMs: 500,
    lease: { handoverAfterMs: 300, checkIntervalMs: 400, expiresMs: 3_000 },
  });
  open.push(broker);
  return broker;
}

/** The lease queue of the last handover (its key is in the log), checked to exist. */
async function leasedQueue(): Promise<string> {
  const found = log.entries.find((e) => e.msg === 'long command handed over to a lease');
  const key = (found?.obj as { lease?: string } | undefined)?.lease ?? '';
  const queue = leaseNames(testBroker.prefix).queue(key);
  leaseQueues.push(queue);
  await ch.checkQueue(queue);
  return queue;
}

beforeAll(async () => {
  testBroker = await startTestBroker();
  admin = await connect(testBroker.url);
  admin.on('error', () => undefined);
  ch = await admin.createChannel();
  ch.on('error', () => undefined);
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((broker) => broker.close({ graceMs: 100 })));
  log.entries.length = 0;
});

afterAll(async () => {
  await deleteTestTopology(testBroker.url, testBroker.prefix, { queues: leaseQueues });
  await admin.close();
  await testBroker.close();
});

describe('a command that runs longer than handoverAfterMs', () => {
  it('is acknowledged early, runs once, and its resume copies end with it', async () => {
    const broker = await start();
    const runs: Delivery[] = [];
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    await broker.consumeCommands({
      prefetch: 2,
      handler: async (delivery) => {
        runs.push(delivery);
        if (runs.length === 1) await finished;
        return 'ack';
      },
    });
    await broker.publishCommand('distribute', Buffer.from('{"long":1}'), { messageId: 'long-1' });
    await waitFor(
      () => log.entries.some((e) => e.msg === 'long command handed over to a lease'),
      5_000,
      'the handover',
    );
    const lease = await leasedQueue();
    // The original is acknowledged while the handler still runs.
    await waitFor(
      async () => (await ch.checkQueue(broker.names.workQueue)).messageCount === 0,
      5_000,
      'the work queue to be empty',
    );
    // Resume copies come back every 400 ms and find the lease held: they circle, no rerun.
    await waitFor(
      () => log.entries.some((e) => e.msg === 'job lease held elsewhere; checked again later'),
      5_000,
      'a resume copy to find the lease held',
    );
    expect(runs).toHaveLength(1);
    finish();
    await waitFor(
      async () => (await ch.checkQueue(lease)).messageCount === 1,
      5_000,
      'the outcome in the lease',
    );
    await waitFor(
      () => log.entries.some((e) => e.msg === 'job lease ended; dropping the copy'),
      5_000,
      'the last resume copy to be dropped',
    );
    const waiting = leaseNames(testBroker.prefix).waitQueue;
    expect((await ch.checkQueue(waiting)).messageCount).toBe(0);
    expect(runs).toHaveLength(1);
  });

  it('runs again from its resume copy when the holder gives it up', async () => {
    const holder = await start();
    let started = 0;
    await holder.consumeCommands({
      prefetch: 1,
      handler: (_delivery, signal) =>
        new Promise((resolve) => {
          started += 1;
          signal.addEventListener('abort', () => {
            resolve('requeue');
          });
        }),
    });
    await holder.publishCommand('retract', Buffer.from('{"long":2}'), { messageId: 'long-2' });
    await waitFor(
      () => log.entries.some((e) => e.msg === 'long command handed over to a lease'),
      5_000,
      'the handover',
    );
    await leasedQueue();
    await holder.close({ graceMs: 0 }); // aborts the run and deletes the lease
    expect(started).toBe(1);

    const heir = await start();
    const runs: Delivery[] = [];
    await heir.consumeCommands({
      prefetch: 1,
      handler: (delivery) => {
        runs.push(delivery);
        return Promise.resolve('ack');
      },
    });
    await waitFor(() => runs.length === 1, 10_000, 'the resume copy to run the command');
    expect(runs[0]?.messageId).toBe('long-2');
    expect(runs[0]?.routingKey).toBe('retract');
  });
});
