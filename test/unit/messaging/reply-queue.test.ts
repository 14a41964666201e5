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
  // A re-declaration after a reconnect must match the first one exactly, so the
  // declaration depends on the expiry alone.
  it.each([60_000, 1_500])(
    'survives its connection and expires after %i ms instead of being deleted with its consumer',
    (expiresMs) => {
      expect(replyQueueDeclaration(expiresMs)).toEqual({
        durable: true,
        exclusive: false,
        autoDelete: false,
        arguments: { 'x-queue-type': 'classic', 'x-expires': expiresMs },
      });
    },
  );
});
