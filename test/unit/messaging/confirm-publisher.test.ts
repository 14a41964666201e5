import { EventEmitter } from 'node:events';
import type { ConfirmChannel, Message, Options } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { ConfirmPublisher } from '../../../src/messaging/confirm-publisher.js';

type Confirm = (err: unknown) => void;

/** Records publishes and lets the test play the broker's confirms, returns and drains. */
class FakeConfirmChannel extends EventEmitter {
  readonly published: {
    exchange: string;
    routingKey: string;
    options: Options.Publish;
    confirm: Confirm;
  }[] = [];
  writable = true;
  failWith: Error | undefined;

  publish(
    exchange: string,
    routingKey: string,
    _content: Buffer,
    options: Options.Publish,
    confirm: Confirm,
  ): boolean {
    if (this.failWith) throw this.failWith;
    this.published.push({ exchange, routingKey, options, confirm });
    return this.writable;
  }

  returnMessage(exchange: string, routingKey: string, messageId: string): void {
    const message = {
      content: Buffer.alloc(0),
      fields: {
        exchange,
        routingKey,
        replyCode: 312,
        replyText: 'NO_ROUTE',
        deliveryTag: 0,
        redelivered: false,
      },
      properties: { messageId },
    } as unknown as Message;
    this.emit('return', message);
  }
}

function setup(timeoutMs = 1_000) {
  const channel = new FakeConfirmChannel();
  const publisher = new ConfirmPublisher(channel as unknown as ConfirmChannel, timeoutMs);
  const send = (messageId: string, routingKey = 'k') =>
    publisher.publish('x', routingKey, Buffer.from('b'), { messageId });
  return { channel, publisher, send };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ConfirmPublisher', () => {
  it('publishes without batching on a channel without the amqplib internal', async () => {
    const { channel, send } = setup();
    const pending = send('m1');
    channel.published[0]!.confirm(null);
    await expect(pending).resolves.toEqual({});
  });

  it("corks the connection's socket once per turn of publishes and uncorks it after", async () => {
    const channel = new FakeConfirmChannel();
    const calls: string[] = [];
    Object.assign(channel, {
      connection: {
        stream: { cork: () => calls.push('cork'), uncork: () => calls.push('uncork') },
      },
    });
    const publisher = new ConfirmPublisher(channel as unknown as ConfirmChannel, 1_000);
    const first = publisher.publish('x', 'k', Buffer.from('b'), { messageId: 'm1' });
    const second = publisher.publish('x', 'k', Buffer.from('b'), { messageId: 'm2' });
    expect(calls).toEqual(['cork']);
    await tick();
    await tick();
    expect(calls).toEqual(['cork', 'uncork']);
    channel.published.forEach((p) => {
      p.confirm(null);
    });
    await expect(Promise.all([first, second])).resolves.toEqual([{}, {}]);
  });

  it('resolves when the broker acks', async () => {
    const { channel, send } = setup();
    const pending = send('m1');
    channel.published[0]!.confirm(null);
    await expect(pending).resolves.toEqual({});
  });

  it('rejects with BROKER_UNAVAILABLE when the broker nacks', async () => {
    const { channel, send } = setup();
    const pending = send('m1');
    channel.published[0]!.confirm(new Error('message nacked'));
    await expect(pending).rejects.toMatchObject({ code: 'BROKER_UNAVAILABLE', retryable: true });
  });

  it('rejects with BROKER_UNCONFIRMED (not retryable) when no confirm arrives in time, and ignores the late one', async () => {
    const { channel, send } = setup(50);
    const pending = send('m1');
    await expect(pending).rejects.toMatchObject({
      code: 'BROKER_UNCONFIRMED',
      retryable: false,
      message: expect.stringContaining('not confirmed within 50 ms') as string,
    });
    expect(() => {
      channel.published[0]!.confirm(null);
    }).not.toThrow();
  });

  it('rejects with BROKER_UNCONFIRMED when the channel closes after the write, before the confirm', async () => {
    const { channel, send } = setup();
    const pending = send('m1');
    channel.published[0]!.confirm(new Error('channel closed'));
    await expect(pending).rejects.toMatchObject({ code: 'BROKER_UNCONFIRMED', retryable: false });
  });

  it('rejects with BROKER_UNAVAILABLE when the channel closed because the exchange does not exist', async () => {
    const { channel, send } = setup();
    const pending = send('m1');
    const refused = Object.assign(
      new Error(
        "Channel closed by server: 404 (NOT-FOUND) with message \"NOT_FOUND - no exchange 'x' in vhost '/'\"",
      ),
      { code: 404 },
    );
    channel.emit('error', refused);
    channel.emit('close');
    channel.published[0]!.confirm(new Error('channel closed'));
    await expect(pending).rejects.toMatchObject({ code: 'BROKER_UNAVAILABLE', retryable: true });
  });

  it('rejects with BROKER_UNAVAILABLE when amqplib throws because the channel is closing', async () => {
    const { channel, send } = setup();
    channel.failWith = new Error('Channel closed');
    await expect(send('m1')).rejects.toMatchObject({
      code: 'BROKER_UNAVAILABLE',
      message: expect.stringContaining('Channel closed') as string,
    });
  });

  it('reports a return that precedes the ack, for the matching publish only', async () => {
    const { channel, send } = setup();
    const first = send('m1', 'nowhere');
    const second = send('m2', 'nowhere');
    channel.returnMessage('x', 'nowhere', 'm2');
    channel.published[0]!.confirm(null);
    channel.published[1]!.confirm(null);
    await expect(first).resolves.toEqual({});
    await expect(second).resolves.toEqual({ returned: { replyCode: 312, replyText: 'NO_ROUTE' } });
  });

  it('matches one return to the oldest of two publishes with the same id', async () => {
    const { channel, send } = setup();
    const first = send('same');
    const second = send('same');
    channel.returnMessage('x', 'k', 'same');
    channel.published[1]!.confirm(null);
    channel.published[0]!.confirm(null);
    await expect(first).resolves.toHaveProperty('returned');
    await expect(second).resolves.toEqual({});
  });

  it('ignores a return nothing waits for', () => {
    const { channel } = setup();
    expect(() => {
      channel.returnMessage('x', 'k', 'unknown');
    }).not.toThrow();
  });

  it('holds further publishes while the write buffer is full, until drain', async () => {
    const { channel, send } = setup();
    channel.writable = false;
    const first = send('m1');
    channel.writable = true;
    const second = send('m2');
    await tick();
    expect(channel.published).toHaveLength(1);
    channel.emit('drain');
    await tick();
    expect(channel.published).toHaveLength(2);
    channel.published[0]!.confirm(null);
    channel.published[1]!.confirm(null);
    await expect(Promise.all([first, second])).resolves.toHaveLength(2);
  });

  it('rejects a held publish when the buffer does not drain in time', async () => {
    const { channel, send } = setup(50);
    channel.writable = false;
    void send('m1').catch(() => undefined);
    await expect(send('m2')).rejects.toMatchObject({
      code: 'BROKER_UNAVAILABLE',
      message: expect.stringContaining('write buffer full') as string,
    });
    expect(channel.published).toHaveLength(1);
  });

  it('refuses to publish once the channel closed', async () => {
    const { channel, publisher, send } = setup();
    channel.emit('close');
    expect(publisher.closed).toBe(true);
    await expect(send('m1')).rejects.toMatchObject({ code: 'BROKER_UNAVAILABLE' });
    expect(channel.published).toHaveLength(0);
  });

  it('idle() resolves once every pending publish is settled', async () => {
    const { channel, publisher, send } = setup();
    await publisher.idle();
    const pending = send('m1');
    let idle = false;
    void publisher.idle().then(() => {
      idle = true;
    });
    await tick();
    expect(idle).toBe(false);
    channel.published[0]!.confirm(null);
    await pending;
    await tick();
    expect(idle).toBe(true);
  });
});
