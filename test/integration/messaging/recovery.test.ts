import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { Broker } from '../../../src/messaging/broker.js';
import { redactUrl } from '../../../src/messaging/broker-options.js';
import type { Delivery } from '../../../src/messaging/broker.js';
import { useBrokerHarness } from '../../helpers/broker-harness.js';
import { freePort as closedPort } from '../../helpers/free-port.js';
import { startFaultProxy, waitFor } from '../../helpers/rabbit.js';

const h = useBrokerHarness(true);
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

function collect(b: Broker, received: Delivery[]) {
  return b.consumeCommands({
    prefetch: 1,
    handler: (delivery) => {
      received.push(delivery);
      return Promise.resolve('ack');
    },
  });
}

describe('first connection', () => {
  it('rejects with BROKER_UNAVAILABLE within connectTimeoutMs when nothing listens', async () => {
    const url = `amqp://guest:secret-pw@127.0.0.1:${await closedPort()}`;
    const before = Date.now();
    const error: unknown = await Broker.connect({
      url,
      prefix: h.broker.prefix,
      deliveryLimit: 3,
      logger: h.log,
      connectTimeoutMs: 800,
    }).catch((e: unknown) => e);
    const took = Date.now() - before;
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'BROKER_UNAVAILABLE', retryable: true });
    expect((error as AppError).message).toContain('ECONNREFUSED');
    expect((error as AppError).message).not.toContain('secret-pw');
    expect(took).toBeGreaterThanOrEqual(750);
    expect(took).toBeLessThan(2_000);
  });

  it('rejects at once, not retryable, when the credentials are refused', async () => {
    const url = new URL(h.broker.url);
    url.username = 'nobody';
    url.password = 'wrong';
    const before = Date.now();
    const error: unknown = await Broker.connect({
      url: url.toString(),
      prefix: h.broker.prefix,
      deliveryLimit: 3,
      logger: h.log,
      connectTimeoutMs: 10_000,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BROKER_UNAVAILABLE', retryable: false });
    expect((error as AppError).message).toMatch(/ACCESS.REFUSED/);
    expect(Date.now() - before).toBeLessThan(5_000);
  });
});

describe('connection loss', () => {
  it('fails publishes fast while down, then recovers consumer and reply queue', async () => {
    const b = await h.start();
    const received: Delivery[] = [];
    await collect(b, received);
    const replies: Delivery[] = [];
    const replyTo = await h.openReplies(b, replies);
    await b.publishCommand('distribute', json({}), { messageId: 'before' });
    await waitFor(() => received.length === 1, 5_000, 'the first command');

    h.proxy.setAccepting(false);
    h.proxy.dropConnections();
    await waitFor(() => !b.isConnected(), 2_000, 'the disconnect');
    const before = Date.now();
    await expect(
      b.publishCommand('distribute', json({}), { messageId: 'down' }),
    ).rejects.toMatchObject({
      code: 'BROKER_UNAVAILABLE',
    });
    await expect(b.sendReply(replyTo, json({}), { messageId: 'down' })).rejects.toMatchObject({
      code: 'BROKER_UNAVAILABLE',
    });
    expect(Date.now() - before).toBeLessThan(100);
    expect(h.log.entries.some((e) => e.msg === 'lost the broker connection; reconnecting')).toBe(
      true,
    );

    h.proxy.setAccepting(true);
    await waitFor(() => b.isConnected(), 5_000, 'the reconnect');
    await b.publishCommand('distribute', json({}), { messageId: 'after' });
    // 'before' may come again too: its ack can be lost with the connection (at-least-once).
    await waitFor(
      () => received.some((d) => d.messageId === 'after'),
      5_000,
      'the command after the reconnect',
    );
    expect(received.every((d) => d.messageId === 'before' || d.messageId === 'after')).toBe(true);

    // The reply queue was declared again under the same name.
    await b.sendReply(replyTo, json({}), { messageId: 'r', correlationId: 'c' });
    await waitFor(() => replies.length === 1, 5_000, 'the reply after the reconnect');
    expect(replies[0]!.correlationId).toBe('c');
  });

  it('aborts an in-flight handler on connection loss; the command comes back', async () => {
    const b = await h.start();
    const seen: Delivery[] = [];
    let reason: unknown;
    await b.consumeCommands({
      prefetch: 1,
      handler: (delivery, signal) => {
        seen.push(delivery);
        if (delivery.redelivered) return Promise.resolve('ack');
        return new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            reason = signal.reason;
            resolve('ack'); // dropped: its channel is gone
          });
        });
      },
    });
    await b.publishCommand('distribute', json({}), { messageId: 'long' });
    await waitFor(() => seen.length === 1, 5_000, 'the delivery');
    h.proxy.dropConnections();
    await waitFor(() => reason !== undefined, 2_000, 'the abort');
    expect(reason).toMatchObject({ code: 'BROKER_UNAVAILABLE' });
    await waitFor(() => seen.length === 2, 5_000, 'the redelivery');
    expect(seen[1]).toMatchObject({ messageId: 'long', redelivered: true });
  });

  it('rejects a publish whose confirm is lost with the connection as unconfirmed (it may have arrived)', async () => {
    const b = await h.start();
    // Nothing can confirm what is written to a socket destroyed in the same tick.
    const pending = b.publishEvent('distribution.x', json({}), { messageId: 'lost' });
    h.proxy.dropConnections();
    await expect(pending).rejects.toMatchObject({ code: 'BROKER_UNCONFIRMED' });
    await waitFor(() => b.isConnected(), 5_000, 'the reconnect');
  });
});

describe('channel loss while connected', () => {
  it('re-opens the publish channel and re-declares a deleted exchange', async () => {
    const b = await h.start();
    await h.ch.deleteExchange(b.names.eventsExchange);
    await expect(
      b.publishEvent('distribution.x', json({}), { messageId: 'e1' }),
    ).rejects.toMatchObject({
      code: 'BROKER_UNAVAILABLE',
    });
    await waitFor(() => b.isConnected(), 5_000, 'the publish channel');
    await b.publishEvent('distribution.x', json({}), { messageId: 'e2' });
    await h.ch.checkExchange(b.names.eventsExchange);
    expect(h.log.entries.some((e) => e.msg === 'publish channel closed by the broker')).toBe(true);
  });

  it('gets the consumer back after its queue was deleted', async () => {
    const b = await h.start();
    const received: Delivery[] = [];
    await collect(b, received);
    await h.ch.deleteQueue(b.names.workQueue);
    await waitFor(
      async () => {
        try {
          await b.publishCommand('retract', json({}), { messageId: 'again' });
          return true;
        } catch {
          return false;
        }
      },
      10_000,
      'the work queue to come back',
    );
    await waitFor(() => received.length === 1, 5_000, 'the command');
    expect(received[0]!.messageId).toBe('again');
  });
});

describe('several broker URLs (the nodes of a cluster)', () => {
  it('connects through the first URL that answers', async () => {
    const dead = `amqp://guest:guest@127.0.0.1:${await closedPort()}`;
    const b = await h.start({ url: [dead, h.proxy.url] });
    expect(b.isConnected()).toBe(true);
    expect(
      h.log.entries.some(
        (e) =>
          e.msg === 'broker connection attempt failed' &&
          (e.obj as { endpoint?: string }).endpoint === redactUrl(dead),
      ),
    ).toBe(true);
  });

  it('reconnects through another URL when the connected one goes away', async () => {
    const second = await startFaultProxy(h.broker.url);
    try {
      const b = await h.start({ url: [h.proxy.url, second.url] });
      const received: Delivery[] = [];
      await collect(b, received);
      // The first "node" goes down for good: its connection dies and it refuses new ones.
      h.proxy.setAccepting(false);
      h.proxy.dropConnections();
      await waitFor(() => !b.isConnected(), 2_000, 'the disconnect');
      await waitFor(() => b.isConnected(), 5_000, 'the reconnect through the second URL');
      await b.publishCommand('distribute', json({}), { messageId: 'via-second' });
      await waitFor(() => received.length === 1, 5_000, 'the command through the second URL');
      const connected = h.log.entries.filter((e) => e.msg === 'connected to the broker');
      expect(connected.at(-1)?.obj).toMatchObject({ endpoint: redactUrl(second.url) });
    } finally {
      await second.close();
    }
  });
});
