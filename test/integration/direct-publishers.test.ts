/**
 * What docs/messages.md promises publishers that write to the commands exchange directly:
 * a command routed under another key than its type, and an oversize command, are refused
 * with a `command.rejected` event and parked; nothing is written.
 */
import type { Channel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvents, type EventRecorder, type RecordedEvent } from '../helpers/event-recorder.js';
import { readFixture } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/rabbit.js';
import { startTestStack, type TestStack } from '../helpers/service.js';

let stack: TestStack;
let recorder: EventRecorder | undefined;
let channel: Channel;
let events: RecordedEvent[] = [];

beforeAll(async () => {
  // The smallest request limit, so that an oversize command stays small for the broker:
  // commands may be 2 x 1024 + 64 KiB.
  stack = await startTestStack({ MAX_BODY_BYTES: '1024' });
  stack.sources.set('series-dublincore.xml', '<dublincore>series</dublincore>');
  recorder = await recordEvents(stack.amqpUrl, stack.prefix, ['#']);
  ({ channel, events } = recorder);
}, 60_000);

afterAll(async () => {
  await recorder?.close();
  await (stack as TestStack | undefined)?.close();
});

function command(jobId: string, channelId: string) {
  return {
    version: 1,
    type: 'distribute',
    jobId,
    organization: 'mh_default_org',
    channelId,
    mediapackage: readFixture('mediapackage.xml').replace(
      /<url>([^<:]+)<\/url>/g,
      (_m, path: string) => `<url>${stack.sources.baseUrl}${path}</url>`,
    ),
    elementIds: ['series-dc'],
    checkAvailability: false,
  };
}

async function nextParked(): Promise<Buffer> {
  let parked: Buffer | undefined;
  await waitFor(
    async () => {
      const message = await channel.get(`${stack.prefix}.parked`, { noAck: true });
      if (message !== false) parked = message.content;
      return parked !== undefined;
    },
    15_000,
    'a parked message',
  );
  return parked ?? Buffer.alloc(0);
}

async function rejectedEvent(id: string) {
  await waitFor(() => events.some((e) => e.event.id === id), 15_000, `event ${id}`);
  return events.find((e) => e.event.id === id);
}

describe('a command published directly', () => {
  it('is refused when its routing key is not its type', async () => {
    const jobId = String(Date.now());
    const body = Buffer.from(JSON.stringify(command(jobId, 'misrouted')));
    // A retract key on a distribute: running either would be a guess.
    channel.publish(`${stack.prefix}.commands`, 'retract', body, { persistent: true });
    const event = await rejectedEvent(`${jobId}:command.rejected`);
    expect(event?.routingKey).toBe('command.rejected');
    expect(event?.event.data.error).toMatchObject({ code: 'INVALID_INPUT' });
    expect((await nextParked()).equals(body)).toBe(true);
    expect(await stack.s3.listKeys(stack.bucket, 'mh_default_org/misrouted/')).toEqual([]);
    expect(events.some((e) => e.routingKey.startsWith('distribute.'))).toBe(false);
  });

  it('is refused with an event when it is over the size limit, and parked', async () => {
    const jobId = String(Date.now() + 1);
    const big = { ...command(jobId, 'oversize'), padding: 'x'.repeat(70 * 1024) };
    const body = Buffer.from(JSON.stringify(big));
    const messageId = `oversize-${jobId}`;
    channel.publish(`${stack.prefix}.commands`, 'distribute', body, {
      persistent: true,
      messageId,
    });
    // Unread, so its job id is unknown: the event is named by the message id.
    const event = await rejectedEvent(`${messageId}:command.rejected`);
    expect(event?.event.data).toMatchObject({
      messageKey: messageId,
      error: { code: 'INVALID_INPUT' },
    });
    expect(event?.event.data).not.toHaveProperty('jobId');
    expect((await nextParked()).length).toBe(body.length);
    expect(await stack.s3.listKeys(stack.bucket, 'mh_default_org/oversize/')).toEqual([]);
  });

  it('under its own type is still executed after those', async () => {
    const jobId = String(Date.now() + 2);
    const body = Buffer.from(JSON.stringify(command(jobId, 'direct-ok')));
    channel.publish(`${stack.prefix}.commands`, 'distribute', body, { persistent: true });
    await waitFor(
      () => events.some((e) => e.event.id === `${jobId}:distribute.completed`),
      15_000,
      'the completed event',
    );
    expect(await stack.s3.listKeys(stack.bucket, 'mh_default_org/direct-ok/')).toHaveLength(1);
  });
});
