import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import type { Channel, ChannelModel, GetMessage } from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { Broker } from '../../../src/messaging/broker.js';
import type { BrokerOptions, Delivery, Disposition } from '../../../src/messaging/broker.js';
import { workQueueArguments } from '../../../src/messaging/topology.js';
import {
  deleteTestTopology,
  recordingLogger,
  startTestBroker,
  waitFor,
} from '../../helpers/rabbit.js';
import type { TestBroker } from '../../helpers/rabbit.js';
import { waitForValue } from '../../helpers/wait-for.js';

const DELIVERY_LIMIT = 2;
let broker: TestBroker;
let admin: ChannelModel;
let ch: Channel;
let eventsQueue: string;
let clientQueue: string;
const extraQueues: string[] = [];
const open: Broker[] = [];
const log = recordingLogger();

async function start(overrides: Partial<BrokerOptions> = {}): Promise<Broker> {
  const instance = await Broker.connect({
    url: broker.url,
    prefix: broker.prefix,
    deliveryLimit: DELIVERY_LIMIT,
    logger: log,
    confirmTimeoutMs: 5_000,
    connectTimeoutMs: 5_000,
    ...overrides,
  });
  open.push(instance);
  return instance;
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** The next message on `queue`, polled with basic.get. */
function nextMessage(queue: string, timeoutMs = 5_000): Promise<GetMessage> {
  return waitForValue(
    async () => {
      const message = await ch.get(queue, { noAck: true });
      return message === false ? undefined : message;
    },
    timeoutMs,
    `a message on ${queue}`,
  );
}

beforeAll(async () => {
  broker = await startTestBroker();
  admin = await connect(broker.url);
  admin.on('error', () => undefined);
  ch = await admin.createChannel();
  eventsQueue = `${broker.prefix}.test-events`;
  clientQueue = `${broker.prefix}.test-client-replies`;
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close({ graceMs: 0 })));
  await ch.purgeQueue(`${broker.prefix}.work`).catch(() => undefined);
  await ch.purgeQueue(`${broker.prefix}.parked`).catch(() => undefined);
  await ch.purgeQueue(`${broker.prefix}.dead-letters`).catch(() => undefined);
  log.entries.length = 0;
});

afterAll(async () => {
  await deleteTestTopology(broker.url, broker.prefix, {
    queues: [eventsQueue, clientQueue, ...extraQueues],
  });
  await admin.close();
  await broker.close();
});

describe('topology', () => {
  it('declares the work queue with its arguments; other arguments are refused with 406', async () => {
    const b = await start();
    const work = await ch.checkQueue(b.names.workQueue);
    expect(work.queue).toBe(`${broker.prefix}.work`);
    await ch.checkQueue(b.names.parkingQueue);
    await ch.checkExchange(b.names.commandsExchange);
    await ch.checkExchange(b.names.eventsExchange);
    await ch.checkExchange(b.names.deadLetterExchange);

    // The same arguments are accepted again: this proves what the queue was declared with.
    const same = await admin.createChannel();
    await same.assertQueue(b.names.workQueue, {
      durable: true,
      arguments: workQueueArguments(b.names, { deliveryLimit: DELIVERY_LIMIT }),
    });
    await same.assertQueue(b.names.parkingQueue, { arguments: { 'x-queue-type': 'quorum' } });
    await same.assertExchange(b.names.commandsExchange, 'direct');
    await same.assertExchange(b.names.eventsExchange, 'topic');
    await same.assertExchange(b.names.deadLetterExchange, 'fanout');
    await same.close();

    const other = await admin.createChannel();
    other.on('error', () => undefined);
    await expect(
      other.assertQueue(b.names.workQueue, {
        durable: true,
        arguments: workQueueArguments(b.names, { deliveryLimit: DELIVERY_LIMIT + 1 }),
      }),
    ).rejects.toMatchObject({ code: 406 });
  });

  it('fails fast, naming queue and argument, when the topology exists with another limit', async () => {
    await start();
    const started = Date.now();
    const error: unknown = await Broker.connect({
      url: broker.url,
      prefix: broker.prefix,
      deliveryLimit: 7,
      logger: log,
      connectTimeoutMs: 5_000,
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'BROKER_UNAVAILABLE', retryable: false });
    expect((error as AppError).message).toContain(`queue '${broker.prefix}.work'`);
    expect((error as AppError).message).toContain("'x-delivery-limit'");
  });
});

describe('commands', () => {
  it('round-trips a command with its properties and headers, and acks it', async () => {
    const b = await start();
    const received: Delivery[] = [];
    await b.consumeCommands({
      prefetch: 2,
      handler: (delivery) => {
        received.push(delivery);
        return Promise.resolve('ack');
      },
    });
    await b.publishCommand('distribute', json({ job: 1 }), {
      messageId: 'm-1',
      correlationId: 'c-1',
      replyTo: `${broker.prefix}.reply.x`,
      type: 'distribute',
      headers: { tenant: 'mh_default_org', attempt: 3, urgent: true },
    });
    await waitFor(() => received.length === 1, 5_000, 'the command');
    expect(received[0]).toMatchObject({
      messageId: 'm-1',
      correlationId: 'c-1',
      replyTo: `${broker.prefix}.reply.x`,
      type: 'distribute',
      contentType: 'application/json',
      routingKey: 'distribute',
      headers: { tenant: 'mh_default_org', attempt: 3, urgent: true },
      redelivered: false,
      deliveryCount: 0,
    });
    expect(JSON.parse(received[0]!.body.toString())).toEqual({ job: 1 });

    // Acked: after the consumer is gone nothing comes back to the queue.
    await b.close();
    expect((await ch.checkQueue(b.names.workQueue)).messageCount).toBe(0);
  });

  it("dead-letters a command whose handler says 'dead-letter' (to the dead-letter queue)", async () => {
    const b = await start();
    await b.consumeCommands({ prefetch: 1, handler: () => Promise.resolve('dead-letter') });
    await b.publishCommand('retract', json({}), { messageId: 'to-park' });
    const parked = await nextMessage(b.names.deadLetterQueue);
    expect(parked.properties.messageId).toBe('to-park');
    expect(parked.fields.routingKey).toBe('retract');
  });

  it('park() puts a message with its headers into the parking queue; it is not bound to the dead-letter exchange', async () => {
    const b = await start();
    await b.park(json({ job: 2 }), {
      messageId: 'parked-1',
      headers: { 'x-ocs3-error-code': 'DELIVERY_LIMIT' },
    });
    const parked = await nextMessage(b.names.parkingQueue);
    expect(parked.properties.messageId).toBe('parked-1');
    expect(parked.properties.headers?.['x-ocs3-error-code']).toBe('DELIVERY_LIMIT');
    expect(parked.properties.deliveryMode).toBe(2);
    ch.publish(b.names.deadLetterExchange, '', json({}), { messageId: 'via-dlx' });
    expect((await nextMessage(b.names.deadLetterQueue)).properties.messageId).toBe('via-dlx');
    expect((await ch.checkQueue(b.names.parkingQueue)).messageCount).toBe(0);
  });

  it('requeues when the handler throws, then dead-letters after the delivery limit', async () => {
    const b = await start();
    const counts: number[] = [];
    await b.consumeCommands({
      prefetch: 1,
      handler: (delivery) => {
        counts.push(delivery.deliveryCount);
        return Promise.reject(new Error('boom'));
      },
    });
    await b.publishCommand('distribute', json({}), { messageId: 'poison' });
    const parked = await nextMessage(b.names.deadLetterQueue);
    // x-delivery-limit 2: the first delivery plus two redeliveries.
    expect(counts).toEqual([0, 1, 2]);
    expect(parked.properties.headers?.['x-first-death-reason']).toBe('delivery_limit');
    expect(log.entries.filter((e) => e.msg === 'command handler failed; requeueing')).toHaveLength(
      3,
    );
  });

  it('requeues when the handler returns something that is not a disposition', async () => {
    const b = await start();
    let calls = 0;
    await b.consumeCommands({
      prefetch: 1,
      handler: () => {
        calls += 1;
        return Promise.resolve((calls === 1 ? 'maybe' : 'ack') as Disposition);
      },
    });
    await b.publishCommand('distribute', json({}), { messageId: 'odd' });
    await waitFor(() => calls === 2);
    expect(log.entries.some((e) => e.msg === 'invalid disposition; requeueing')).toBe(true);
  });

  it('hands an oversized delivery to the handler, which decides (the worker rejects it with an event)', async () => {
    const b = await start({ maxBodyBytes: 1024 });
    const sizes: number[] = [];
    await b.consumeCommands({
      prefetch: 1,
      handler: (d) => {
        sizes.push(d.body.length);
        return Promise.resolve('dead-letter');
      },
    });
    ch.publish(b.names.commandsExchange, 'distribute', Buffer.alloc(2048), { messageId: 'big' });
    const parked = await nextMessage(b.names.deadLetterQueue);
    expect(parked.properties.messageId).toBe('big');
    expect(sizes).toEqual([2048]);
  });

  it('reports a first delivery as count 0 even if the publisher forged x-delivery-count', async () => {
    const b = await start();
    const received: Delivery[] = [];
    await b.consumeCommands({
      prefetch: 1,
      handler: (d) => {
        received.push(d);
        return Promise.resolve('ack');
      },
    });
    ch.publish(b.names.commandsExchange, 'distribute', Buffer.from('x'), {
      headers: { 'x-delivery-count': 99 },
    });
    await waitFor(() => received.length === 1);
    expect(received[0]!.deliveryCount).toBe(0);
    expect(received[0]!.messageId).toBeUndefined();
  });

  it('rejects an unroutable command', async () => {
    const b = await start();
    await expect(
      b.publishCommand('no-such-command', json({}), { messageId: 'u' }),
    ).rejects.toMatchObject({
      code: 'BROKER_UNAVAILABLE',
      message: expect.stringContaining('routed to no queue') as string,
    });
    // The channel stays usable.
    await b.publishCommand('distribute', json({}), { messageId: 'ok' });
  });

  it('refuses bad input before touching the broker', async () => {
    const b = await start({ maxBodyBytes: 1024 });
    await expect(b.publishCommand('distribute', json({}), { messageId: '' })).rejects.toMatchObject(
      {
        code: 'INVALID_INPUT',
      },
    );
    await expect(
      b.publishCommand('distribute', Buffer.alloc(1025), { messageId: 'big' }),
    ).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(
      b.publishEvent('distribution.x', json({}), { messageId: 'e', headers: { 'x-death': 1 } }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      b.consumeCommands({ prefetch: 0, handler: () => Promise.resolve('ack') }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(b.isConnected()).toBe(true);
  });

  it('allows one command consumer at a time', async () => {
    const b = await start();
    const handle = await b.consumeCommands({ prefetch: 1, handler: () => Promise.resolve('ack') });
    await expect(
      b.consumeCommands({ prefetch: 1, handler: () => Promise.resolve('ack') }),
    ).rejects.toMatchObject({
      code: 'INTERNAL',
    });
    await handle.cancel();
    const received: string[] = [];
    await b.consumeCommands({
      prefetch: 1,
      handler: (d) => {
        received.push(d.messageId ?? '');
        return Promise.resolve('ack');
      },
    });
    await b.publishCommand('distribute', json({}), { messageId: 'after-cancel' });
    await waitFor(() => received.length === 1);
    expect(received).toEqual(['after-cancel']);
  });
});

describe('events', () => {
  it('publishes to the topic exchange; an event nobody listens to is no error', async () => {
    const b = await start();
    await ch.assertQueue(eventsQueue, { durable: false, autoDelete: false });
    await ch.bindQueue(eventsQueue, b.names.eventsExchange, 'distribution.#');
    await b.publishEvent('distribution.distributed', json({ id: 'e1' }), {
      messageId: 'e1',
      type: 'distributed',
      contentType: 'application/cloudevents+json',
    });
    await b.publishEvent('nobody.listens', json({}), { messageId: 'e2' });
    const got = await nextMessage(eventsQueue);
    expect(got.properties).toMatchObject({
      messageId: 'e1',
      type: 'distributed',
      contentType: 'application/cloudevents+json',
      deliveryMode: 2,
    });
    expect(await ch.get(eventsQueue, { noAck: true })).toBe(false);
  });
});

describe('replies', () => {
  it('round-trips a reply with its correlation id between two brokers', async () => {
    const api = await start();
    const worker = await start();
    const replies: Delivery[] = [];
    const replyTo = await api.openReplyQueue((d) => replies.push(d));
    extraQueues.push(replyTo);
    expect(replyTo.startsWith(`${broker.prefix}.reply.`)).toBe(true);
    await worker.consumeCommands({
      prefetch: 1,
      handler: async (d) => {
        await worker.sendReply(d.replyTo!, json({ done: true }), {
          messageId: `${d.messageId!}:reply`,
          correlationId: d.correlationId!,
        });
        return 'ack';
      },
    });
    await api.publishCommand('distribute', json({}), {
      messageId: 'job-7',
      correlationId: 'job-7',
      replyTo,
    });
    await waitFor(() => replies.length === 1, 5_000, 'the reply');
    expect(replies[0]).toMatchObject({ correlationId: 'job-7', messageId: 'job-7:reply' });
    await expect(api.openReplyQueue(() => undefined)).rejects.toMatchObject({ code: 'INTERNAL' });

    // close() deletes it (it is neither exclusive nor auto-delete).
    await api.close();
    const probe = await admin.createChannel();
    probe.on('error', () => undefined);
    await expect(probe.checkQueue(replyTo)).rejects.toMatchObject({ code: 404 });
  });

  it('drops a reply to a vanished queue with a warning', async () => {
    const b = await start();
    await b.sendReply(`${broker.prefix}.reply.${randomUUID()}`, json({}), { messageId: 'r' });
    expect(
      log.entries.some((e) => e.level === 'warn' && e.msg === 'reply queue is gone; reply dropped'),
    ).toBe(true);
  });

  it("replies to another service's own queue, but never into this service's queues", async () => {
    const b = await start();
    await ch.assertQueue(clientQueue, { durable: false });
    await b.sendReply(clientQueue, json({ ok: true }), { messageId: 'r1', correlationId: 'c1' });
    const reply = await nextMessage(clientQueue);
    expect(reply.properties).toMatchObject({
      messageId: 'r1',
      correlationId: 'c1',
      deliveryMode: 1,
    });
    for (const target of [
      b.names.workQueue,
      b.names.parkingQueue,
      b.names.deadLetterQueue,
      '',
      'a\nb',
      'q'.repeat(256),
    ]) {
      await expect(b.sendReply(target, json({}), { messageId: 'r' })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
    }
    expect((await ch.checkQueue(b.names.workQueue)).messageCount).toBe(0);
  });
});

describe('close', () => {
  it('waits for an in-flight handler, acks its message, and is idempotent', async () => {
    const b = await start();
    const started = deferred();
    const release = deferred();
    let finished = false;
    await b.consumeCommands({
      prefetch: 1,
      handler: async () => {
        started.resolve();
        await release.promise;
        // Still allowed while draining: handlers publish their events.
        await b.publishEvent('distribution.done', json({}), { messageId: 'done' });
        finished = true;
        return 'ack';
      },
    });
    await b.publishCommand('distribute', json({}), { messageId: 'slow' });
    await started.promise;
    const closing = b.close({ graceMs: 10_000 });
    expect(b.close()).toBe(closing);
    let closed = false;
    void closing.then(() => {
      closed = true;
    });
    // An absence cannot be awaited: give close() time it would use to finish if it did not
    // wait (a quorum queue keeps counting a cancelled consumer with unacked messages, so the
    // consumer count cannot show how far close() got).
    await new Promise((r) => setTimeout(r, 200));
    expect(closed).toBe(false);
    release.resolve();
    await closing;
    expect(finished).toBe(true);
    expect(b.isConnected()).toBe(false);
    await b.close();
    expect((await ch.checkQueue(b.names.workQueue)).messageCount).toBe(0);
    await expect(
      b.publishCommand('distribute', json({}), { messageId: 'late' }),
    ).rejects.toMatchObject({
      code: 'BROKER_UNAVAILABLE',
    });
    await expect(
      b.consumeCommands({ prefetch: 1, handler: () => Promise.resolve('ack') }),
    ).rejects.toMatchObject({
      code: 'BROKER_UNAVAILABLE',
    });
  });

  it('with graceMs 0 aborts the handler and requeues its message for another consumer', async () => {
    const first = await start();
    const started = deferred();
    let reason: unknown;
    await first.consumeCommands({
      prefetch: 1,
      handler: (_, signal) =>
        new Promise((resolve) => {
          started.resolve();
          signal.addEventListener('abort', () => {
            reason = signal.reason;
            // A disposition after the abort is ignored: the message is requeued.
            setTimeout(() => {
              resolve('ack');
            }, 50);
          });
        }),
    });
    await first.publishCommand('distribute', json({}), { messageId: 'interrupted' });
    await started.promise;
    // Without the abort the handler never settles and close() would hang (test timeout).
    await first.close({ graceMs: 0 });
    expect(reason).toMatchObject({ code: 'BROKER_UNAVAILABLE' });

    const second = await start();
    const received: Delivery[] = [];
    await second.consumeCommands({
      prefetch: 1,
      handler: (d) => {
        received.push(d);
        return Promise.resolve('ack');
      },
    });
    await waitFor(() => received.length === 1, 5_000, 'the requeued command');
    expect(received[0]).toMatchObject({
      messageId: 'interrupted',
      redelivered: true,
      deliveryCount: 1,
    });
  });

  it('stops waiting for a handler that ignores its signal after graceMs', async () => {
    const b = await start();
    const started = deferred();
    await b.consumeCommands({
      prefetch: 1,
      handler: () => {
        started.resolve();
        return new Promise<Disposition>(() => undefined);
      },
    });
    await b.publishCommand('distribute', json({}), { messageId: 'stuck' });
    await started.promise;
    const before = Date.now();
    await b.close({ graceMs: 300 });
    // It waits the grace period (timers never fire early beyond rounding); that it stops
    // at all is shown by close() returning: the handler never settles.
    expect(Date.now() - before).toBeGreaterThanOrEqual(290);
    await waitFor(async () => (await ch.checkQueue(b.names.workQueue)).messageCount === 1);
  });
});
