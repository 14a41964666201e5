import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { replyQueueName } from '../../../src/messaging/reply-queue.js';
import {
  COMMAND_ROUTING_KEYS,
  parkingQueueArguments,
  topologyNames,
  workQueueArguments,
} from '../../../src/messaging/topology.js';

describe('topologyNames', () => {
  it('derives every name from the prefix', () => {
    expect(topologyNames('ocs3')).toEqual({
      commandsExchange: 'ocs3.commands',
      workQueue: 'ocs3.work',
      deadLetterExchange: 'ocs3.dead',
      deadLetterQueue: 'ocs3.dead-letters',
      parkingQueue: 'ocs3.parked',
      opencastJobsQueue: 'ocs3.opencast-jobs',
      eventsExchange: 'ocs3.events',
    });
  });

  it('accepts dots, dashes, colons and underscores', () => {
    expect(topologyNames('a.b-c_d:e').workQueue).toBe('a.b-c_d:e.work');
  });

  it.each([
    ['empty', ''],
    ['leading dot', '.ocs3'],
    ['space', 'oc s3'],
    ['slash', 'a/b'],
    ['newline', 'ocs3\n'],
    ['wildcard', 'ocs3.#'],
    ['non-ASCII', 'ocs3é'],
    ['too long', 'a'.repeat(201)],
  ])('refuses a prefix that is %s', (_, prefix) => {
    expect(() => topologyNames(prefix)).toThrow(AppError);
    expect(() => topologyNames(prefix)).toThrow(/prefix/);
  });

  it('accepts a 200-character prefix, so the longest reply queue name fits 255 bytes', () => {
    const names = topologyNames('p'.repeat(200));
    expect(names.parkingQueue.length).toBeLessThanOrEqual(255);
    expect(Buffer.byteLength(replyQueueName('p'.repeat(200)))).toBeLessThanOrEqual(255);
  });
});

describe('queue arguments', () => {
  it('make the work queue a quorum queue with a delivery limit and safe dead-lettering', () => {
    expect(workQueueArguments(topologyNames('x'), { deliveryLimit: 5 })).toEqual({
      'x-queue-type': 'quorum',
      'x-delivery-limit': 5,
      'x-dead-letter-exchange': 'x.dead',
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    });
  });

  it('make the parking queue a quorum queue', () => {
    expect(parkingQueueArguments()).toEqual({ 'x-queue-type': 'quorum' });
  });

  it('bind exactly the two command routing keys', () => {
    expect(COMMAND_ROUTING_KEYS).toEqual(['distribute', 'retract']);
  });
});
