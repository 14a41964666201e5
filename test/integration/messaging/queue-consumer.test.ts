import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker } from '../../../src/messaging/broker.js';
import type { Delivery } from '../../../src/messaging/broker.js';
import {
  deleteTestTopology,
  recordingLogger,
  startTestBroker,
  waitFor,
} from '../../helpers/rabbit.js';
import type { TestBroker } from '../../helpers/rabbit.js';

// The Opencast job queue: declared in Opencast mode, fed by durable replies, consumed by a
// consumer of its own that survives the loss of its channel.
let testBroker: TestBroker;
const open: Broker[] = [];
const log = recordingLogger();

async function start(opencastJobs: boolean, prefix = testBroker.prefix): Promise<Broker> {
  const broker = await Broker.connect({
    url: testBroker.url,
    prefix,
    deliveryLimit: 2,
    opencastJobs,
    logger: log,
    confirmTimeoutMs: 5_000,
    connectTimeoutMs: 5_000,
  });
  open.push(broker);
  return broker;
}

beforeAll(async () => {
  testBroker = await startTestBroker();
});

afterAll(async () => {
  await Promise.all(open.map((broker) => broker.close({ graceMs: 100 })));
  await deleteTestTopology(testBroker.url, `${testBroker.prefix}-off`);
  await testBroker.close();
});

describe('the Opencast job queue', () => {
  it('delivers durable replies to its consumer, persistent, and requeues what fails', async () => {
    const broker = await start(true);
    const seen: Delivery[] = [];
    let failFirst = true;
    const handle = await broker.consumeQueue(broker.names.opencastJobsQueue, {
      prefetch: 4,
      handler: (delivery) => {
        seen.push(delivery);
        if (failFirst) {
          failFirst = false;
          return Promise.resolve('requeue');
        }
        return Promise.resolve('ack');
      },
    });
    await broker.sendReply(broker.names.opencastJobsQueue, Buffer.from('{"jobId":"7"}'), {
      messageId: '7:FINISHED',
      correlationId: '7',
      type: 'job-reply',
    });
    await waitFor(() => seen.length >= 2, 5_000, 'the requeued report');
    expect(seen.map((d) => d.body.toString())).toEqual(['{"jobId":"7"}', '{"jobId":"7"}']);
    expect(seen[1]?.redelivered).toBe(true);
    expect(seen[0]?.correlationId).toBe('7');
    await handle.cancel({ graceMs: 100 });
  });

  it('refuses a report when the queue is not declared instead of dropping it', async () => {
    // Another prefix with Opencast mode off: no job queue exists under it.
    const broker = await start(false, `${testBroker.prefix}-off`);
    const sending = broker.sendReply(broker.names.opencastJobsQueue, Buffer.from('{}'), {
      messageId: 'x',
      correlationId: 'x',
      type: 'job-reply',
    });
    await expect(sending).rejects.toMatchObject({ code: 'BROKER_UNAVAILABLE' });
  });

  it('refuses a second consumer role of the same queue', async () => {
    const broker = await start(true);
    const handler = () => Promise.resolve('ack' as const);
    const first = await broker.consumeQueue(broker.names.opencastJobsQueue, {
      prefetch: 1,
      handler,
    });
    await expect(
      broker.consumeQueue(broker.names.opencastJobsQueue, { prefetch: 1, handler }),
    ).rejects.toMatchObject({ code: 'BROKER_UNAVAILABLE' });
    await first.cancel({ graceMs: 100 });
    // Once cancelled, the queue can be consumed again.
    const again = await broker.consumeQueue(broker.names.opencastJobsQueue, {
      prefetch: 1,
      handler,
    });
    await again.cancel({ graceMs: 100 });
  });
});
