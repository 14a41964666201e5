import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { OutgoingEvent } from '../../../src/contract/event.js';
import type { JobReply } from '../../../src/contract/reply.js';
import type { DistributionDeps } from '../../../src/distribution/distribute.js';
import {
  handleDeadLetter,
  parkedMessage,
  type ParkableDelivery,
  type ParkedMessage,
} from '../../../src/worker/dead-letters.js';
import { OutcomeLedger } from '../../../src/worker/outcome-ledger.js';

const command = {
  version: 1,
  type: 'retract',
  jobId: '42',
  organization: 'mh_default_org',
  channelId: 'c',
  mediapackage: '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="mp"/>',
  elementIds: ['e'],
};

function delivery(reason: string, queue = 'p.work'): ParkableDelivery {
  return {
    body: Buffer.from(JSON.stringify(command)),
    messageId: 'm-42',
    correlationId: 'c-42',
    replyTo: 'p.reply.x',
    routingKey: 'retract',
    deliveryCount: 0,
    headers: {
      'x-first-death-reason': reason,
      'x-first-death-queue': queue,
      'x-death': [{ count: 1 }],
      tenant: 'mh',
      odd: { nested: true },
    },
  };
}

function setup() {
  const events: OutgoingEvent[] = [];
  const replies: JobReply[] = [];
  const parked: ParkedMessage[] = [];
  const deps = {
    distribution: {} as DistributionDeps,
    publishEvent: (e: OutgoingEvent) => {
      events.push(e);
      return Promise.resolve();
    },
    sendReply: (_to: string, _c: string, r: JobReply) => {
      replies.push(r);
      return Promise.resolve();
    },
    maxCommandBytes: 1 << 20,
    clock: () => new Date('2024-10-01T09:00:00.000Z'),
    logger: pino({ level: 'silent' }),
    outcomes: new OutcomeLedger(),
    workQueue: 'p.work',
    parkMessage: (m: ParkedMessage) => {
      parked.push(m);
      return Promise.resolve();
    },
  };
  return { deps, events, replies, parked };
}

const signal = new AbortController().signal;

describe('parkedMessage', () => {
  it('keeps body, properties and simple headers, drops broker headers, adds the reason', () => {
    const error = { code: 'DELIVERY_LIMIT', message: 'x'.repeat(5000), retryable: false } as const;
    const { body, properties } = parkedMessage(delivery('delivery_limit'), error, 'delivery_limit');
    expect(JSON.parse(body.toString())).toEqual(command);
    expect(properties).toMatchObject({ messageId: 'm-42', correlationId: 'c-42' });
    expect(properties.headers).toEqual({
      tenant: 'mh',
      'x-ocs3-error-code': 'DELIVERY_LIMIT',
      'x-ocs3-error-message': 'x'.repeat(1000),
      'x-ocs3-routing-key': 'retract',
      'x-ocs3-dead-letter-reason': 'delivery_limit',
    });
  });
});

describe('handleDeadLetter', () => {
  it('ends a command over the delivery limit: failed event, FAILED reply, parked with its reason', async () => {
    const { deps, events, replies, parked } = setup();
    await expect(handleDeadLetter(delivery('delivery_limit'), deps, signal)).resolves.toBe('ack');
    expect(events.map((e) => e.event.id)).toEqual(['42:retract.failed']);
    expect(events[0]?.event.data.error?.code).toBe('DELIVERY_LIMIT');
    expect(replies).toMatchObject([
      { jobId: '42', status: 'FAILED', error: { code: 'DELIVERY_LIMIT' } },
    ]);
    expect(parked[0]?.properties.headers['x-ocs3-error-code']).toBe('DELIVERY_LIMIT');
  });

  it('announces the outcome this process recorded for the job instead', async () => {
    const { deps, events, replies } = setup();
    const claim = await deps.outcomes.begin('42:retract');
    claim.finish?.({
      event: {
        routingKey: 'retract.completed',
        event: { id: '42:retract.completed' } as OutgoingEvent['event'],
      },
      status: 'FINISHED',
      payload: 'p',
    });
    await handleDeadLetter(delivery('delivery_limit'), deps, signal);
    expect(events.map((e) => e.event.id)).toEqual(['42:retract.completed']);
    expect(replies).toMatchObject([{ status: 'FINISHED', payload: 'p' }]);
  });

  it('only parks what a worker dead-lettered itself, or what came from another queue', async () => {
    const { deps, events, replies, parked } = setup();
    await handleDeadLetter(delivery('rejected'), deps, signal);
    await handleDeadLetter(delivery('delivery_limit', 'p.opencast-jobs'), deps, signal);
    expect(events).toEqual([]);
    expect(replies).toEqual([]);
    expect(parked.map((m) => m.properties.headers['x-ocs3-dead-letter-reason'])).toEqual([
      'rejected',
      'delivery_limit',
    ]);
  });
});
