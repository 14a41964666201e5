/**
 * Issue 8 item 10: one job, one outcome. The same command delivered twice (a redelivery, or
 * a publisher that sent it twice) must not end its job with both a completed and a failed
 * event, even when a second run would fail (here: the source is gone after the first).
 */
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/rabbit.js';
import { startTestStack, type TestStack } from '../helpers/service.js';

let stack: TestStack | undefined;
let connection: ChannelModel | undefined;
let channel: Channel;
let replyQueue = '';
const events: { routingKey: string; id: string; body: string }[] = [];
const replies: { jobId: string; status: string }[] = [];

function live(): TestStack {
  if (stack === undefined) throw new Error('stack did not start');
  return stack;
}

beforeAll(async () => {
  stack = await startTestStack();
  connection = await amqp.connect(stack.amqpUrl);
  channel = await connection.createChannel();
  const eventQueue = (await channel.assertQueue('', { exclusive: true, autoDelete: true })).queue;
  await channel.bindQueue(eventQueue, `${stack.prefix}.events`, '#');
  await channel.consume(
    eventQueue,
    (message: ConsumeMessage | null) => {
      if (message === null) return;
      const body = message.content.toString();
      events.push({
        routingKey: message.fields.routingKey,
        id: (JSON.parse(body) as { id: string }).id,
        body,
      });
    },
    { noAck: true },
  );
  replyQueue = (await channel.assertQueue('', { exclusive: true, autoDelete: true })).queue;
  await channel.consume(
    replyQueue,
    (message: ConsumeMessage | null) => {
      if (message === null) return;
      replies.push(JSON.parse(message.content.toString()) as { jobId: string; status: string });
    },
    { noAck: true },
  );
}, 60_000);

afterAll(async () => {
  await connection?.close();
  await stack?.close();
});

describe('a command delivered twice', () => {
  it('ends its job with one outcome: the duplicate announces the same event again', async () => {
    live().sources.set('once.xml', '<dublincore>once</dublincore>');
    const jobId = String(Date.now());
    const body = Buffer.from(
      JSON.stringify({
        version: 1,
        type: 'distribute',
        jobId,
        organization: 'mh_default_org',
        channelId: 'one-outcome',
        mediapackage:
          '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="once-mp"><metadata>' +
          '<catalog id="c1" type="dublincore/episode"><mimetype>text/xml</mimetype>' +
          `<url>${live().sources.baseUrl}once.xml</url></catalog></metadata></mediapackage>`,
        elementIds: ['c1'],
        checkAvailability: false,
      }),
    );
    const publish = () =>
      channel.publish(`${live().prefix}.commands`, 'distribute', body, {
        persistent: true,
        replyTo: replyQueue,
        correlationId: jobId,
      });
    const terminal = () => replies.filter((r) => r.jobId === jobId && r.status !== 'RUNNING');

    publish();
    await waitFor(() => terminal().length === 1, 20_000, 'the first outcome');
    // A second run would fail now: the source is gone.
    live().sources.remove('once.xml');
    publish();
    await waitFor(() => terminal().length === 2, 20_000, 'the duplicate handled');

    const ofJob = () => events.filter((e) => e.id.startsWith(`${jobId}:`));
    // Events go out before replies, but travel on another queue to this consumer.
    await waitFor(() => ofJob().length === 2, 10_000, 'both announcements');
    expect(terminal().map((r) => r.status)).toEqual(['FINISHED', 'FINISHED']);
    const mine = ofJob();
    expect(new Set(mine.map((e) => e.routingKey))).toEqual(new Set(['distribute.completed']));
    // The same event, id and body, so a subscriber de-duplicates it on the id.
    expect(mine).toHaveLength(2);
    expect(mine[1]?.body).toBe(mine[0]?.body);
    // The duplicate did not run: the source was read once.
    expect(live().sources.hits.get('once.xml')).toBe(1);
    expect(await live().s3.listKeys(live().bucket, 'mh_default_org/one-outcome/')).toHaveLength(1);
  }, 60_000);
});
