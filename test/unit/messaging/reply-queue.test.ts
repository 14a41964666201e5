import { describe, expect, it } from 'vitest';
import { replyQueueDeclaration, replyQueueName } from '../../../src/messaging/reply-queue.js';

describe('replyQueueName', () => {
  it('is unique per call and carries the prefix', () => {
    const a = replyQueueName('ocs3');
    const b = replyQueueName('ocs3');
    expect(a).not.toBe(b);
    expect(a).toMatch(
      /^ocs3\.reply\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });
});

describe('replyQueueDeclaration', () => {
  it('survives its connection and expires instead of being deleted with its consumer', () => {
    expect(replyQueueDeclaration(60_000)).toEqual({
      durable: true,
      exclusive: false,
      autoDelete: false,
      arguments: { 'x-queue-type': 'classic', 'x-expires': 60_000 },
    });
  });

  it('is the same for the same expiry, so a re-declaration after a reconnect matches', () => {
    expect(replyQueueDeclaration(1_500)).toEqual(replyQueueDeclaration(1_500));
  });
});
