import { describe, expect, it } from 'vitest';
import type { JobReply } from '../../../src/contract/reply.js';
import { AppError } from '../../../src/errors.js';
import { buildEvent, type OutgoingEvent } from '../../../src/contract/event.js';
import type { MessageProperties } from '../../../src/contract/properties.js';
import { brokerPublishers } from '../../../src/worker/publishers.js';

interface Sent {
  readonly to: string;
  readonly body: unknown;
  readonly props: MessageProperties;
}

function fakeBroker() {
  const events: Sent[] = [];
  const replies: Sent[] = [];
  const record = (into: Sent[]) => (to: string, body: Buffer, props: MessageProperties) => {
    into.push({ to, body: JSON.parse(body.toString()), props });
    return Promise.resolve();
  };
  return { events, replies, broker: { publishEvent: record(events), sendReply: record(replies) } };
}

const outgoing = buildEvent('completed', {
  jobId: '7',
  operation: 'retract',
  organization: 'o',
  channelId: 'c',
  mediaPackageId: 'mp',
  elements: [],
  startedAt: '2024-10-01T09:00:00.000Z',
  completedAt: '2024-10-01T09:00:01.000Z',
  durationMs: 1000,
});

describe('brokerPublishers', () => {
  it('publish an event as CloudEvents JSON under its routing key, then report it', async () => {
    const { events, broker } = fakeBroker();
    const published: OutgoingEvent[] = [];
    await brokerPublishers(broker, (e) => published.push(e)).publishEvent(outgoing);
    expect(events).toEqual([
      {
        to: 'retract.completed',
        body: outgoing.event,
        props: {
          messageId: '7:retract.completed',
          type: 'org.opencastproject.distribution.s3.retract.completed',
          contentType: 'application/cloudevents+json',
        },
      },
    ]);
    expect(published).toEqual([outgoing]);
  });

  it('do not report an event the broker refused', async () => {
    const published: OutgoingEvent[] = [];
    const refusing = {
      publishEvent: () => Promise.reject(new Error('nack')),
      sendReply: () => Promise.resolve(),
    };
    await expect(
      brokerPublishers(refusing, (e) => published.push(e)).publishEvent(outgoing),
    ).rejects.toThrow('nack');
    expect(published).toEqual([]);
  });

  it('send a reply to its queue with the correlation id and a per-status message id', async () => {
    const { replies, broker } = fakeBroker();
    const reply = { version: 1, jobId: '7', status: 'RUNNING', time: outgoing.event.time } as const;
    await brokerPublishers(broker).sendReply('reply-q', 'corr-7', reply);
    expect(replies).toEqual([
      {
        to: 'reply-q',
        body: reply,
        props: { messageId: '7:RUNNING', correlationId: 'corr-7', type: 'job-reply' },
      },
    ]);
  });
});

describe('brokerPublishers and unconfirmed publishes', () => {
  it('turn an unconfirmed event or reply into a retryable error (sending again is safe)', async () => {
    const unconfirmed = () => Promise.reject(new AppError('BROKER_UNCONFIRMED', 'no confirm'));
    const publishers = brokerPublishers({ publishEvent: unconfirmed, sendReply: unconfirmed });
    await expect(publishers.publishEvent(outgoing)).rejects.toMatchObject({
      code: 'BROKER_UNCONFIRMED',
      retryable: true,
    });
    const reply: JobReply = {
      version: 1,
      jobId: '7',
      status: 'RUNNING',
      time: '2024-10-01T09:00:00.000Z',
    };
    await expect(publishers.sendReply('q', '7', reply)).rejects.toMatchObject({
      code: 'BROKER_UNCONFIRMED',
      retryable: true,
    });
  });
});
