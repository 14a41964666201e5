import type { Message } from 'amqplib';
import { describe, expect, it } from 'vitest';
import {
  LEASE_HEADER,
  isResumeCopy,
  leaseKeyOf,
  leaseNames,
  resumeCopyOptions,
} from '../../../src/messaging/lease-topology.js';

function message(content: string, properties: Partial<Message['properties']> = {}): Message {
  return {
    content: Buffer.from(content),
    fields: {
      deliveryTag: 1,
      redelivered: false,
      exchange: 'p.commands',
      routingKey: 'distribute',
    },
    properties: { headers: {}, ...properties },
  } as unknown as Message;
}

describe('lease keys', () => {
  it('are the same for the original and every copy of one command', () => {
    const original = message('{"jobId":"1"}', { messageId: 'm1' });
    const key = leaseKeyOf(original);
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(leaseKeyOf(message('{"jobId":"1"}', { messageId: 'm1' }))).toBe(key);
    const headers = resumeCopyOptions(original, key, 1000).headers as Record<string, unknown>;
    const copy = message('{"jobId":"1"}', { messageId: 'm1', headers });
    expect(isResumeCopy(copy)).toBe(true);
    expect(leaseKeyOf(copy)).toBe(key);
  });

  it('differ for another body or message id', () => {
    const key = leaseKeyOf(message('a', { messageId: 'm' }));
    expect(leaseKeyOf(message('b', { messageId: 'm' }))).not.toBe(key);
    expect(leaseKeyOf(message('a', { messageId: 'n' }))).not.toBe(key);
  });

  it('ignore a malformed lease header: the message is no resume copy', () => {
    const forged = message('a', { messageId: 'm', headers: { [LEASE_HEADER]: '../x' } });
    expect(isResumeCopy(forged)).toBe(false);
    expect(leaseKeyOf(forged)).toBe(leaseKeyOf(message('a', { messageId: 'm' })));
  });

  it('name queues under the prefix', () => {
    expect(leaseNames('ocs3').queue('ab')).toBe('ocs3.lease.ab');
    expect(leaseNames('ocs3').waitQueue).toBe('ocs3.lease-wait');
  });
});

describe('resume copies', () => {
  it('keep the properties, drop broker headers, and carry a TTL and the lease', () => {
    const original = message('body', {
      messageId: 'm',
      correlationId: 'c',
      replyTo: 'r',
      type: 't',
      contentType: 'application/json',
      headers: { own: 'x', 'x-death': [], 'x-delivery-count': 2, 'x-first-death-queue': 'q' },
    });
    expect(resumeCopyOptions(original, 'k', 5000)).toEqual({
      persistent: true,
      mandatory: true,
      expiration: '5000',
      messageId: 'm',
      correlationId: 'c',
      replyTo: 'r',
      type: 't',
      contentType: 'application/json',
      headers: { own: 'x', [LEASE_HEADER]: 'k' },
    });
  });
});
