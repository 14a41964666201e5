import { describe, expect, it } from 'vitest';
import { replyQueueName } from '../../../src/messaging/reply-queue.js';

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
