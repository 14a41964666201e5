/**
 * The confirm publisher's write batching against real amqplib and RabbitMQ: the publishes
 * of one event-loop turn reach the socket together (one writev), and all are confirmed.
 * Guards the amqplib internal it relies on (`connection.stream`) and the write ordering.
 */
import type { Socket } from 'node:net';
import amqp, { type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfirmPublisher } from '../../../src/messaging/confirm-publisher.js';
import { connectionStream } from '../../../src/messaging/write-batcher.js';
import { LOCAL_AMQP_URL, testPrefix } from '../../helpers/rabbit.js';

const url = process.env.TEST_AMQP_URL ?? LOCAL_AMQP_URL;
const queue = `${testPrefix()}.write-batching`;
let model: ChannelModel;

beforeAll(async () => {
  model = await amqp.connect(url);
});

afterAll(async () => {
  const channel = await model.createChannel();
  await channel.deleteQueue(queue);
  await model.close();
});

describe('ConfirmPublisher write batching (amqplib 2)', () => {
  it('writes one turn of publishes to the socket at once, and all are confirmed', async () => {
    const channel = await model.createConfirmChannel();
    await channel.assertQueue(queue, { durable: false });
    const socket = connectionStream(channel) as Socket | undefined;
    expect(socket, 'amqplib no longer exposes connection.stream').toBeDefined();
    if (socket === undefined) return;
    const counts = { write: 0, writev: 0 };
    // Own properties shadow net.Socket's methods for this socket only.
    const write = socket._write.bind(socket);
    const writev = socket._writev?.bind(socket);
    socket._write = (...args) => {
      counts.write++;
      write(...args);
    };
    socket._writev = (...args) => {
      counts.writev++;
      writev?.(...args);
    };
    const publisher = new ConfirmPublisher(channel, 5_000);
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        publisher.publish('', queue, Buffer.from(`m${n}`), { messageId: `m${n}` }),
      ),
    );
    expect(outcomes).toEqual(Array.from({ length: 10 }, () => ({})));
    expect(counts).toEqual({ write: 0, writev: 1 });
    const check = await channel.checkQueue(queue);
    expect(check.messageCount).toBe(10);
    await channel.close();
  });
});
