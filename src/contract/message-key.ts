import { createHash } from 'node:crypto';

/**
 * A short key naming a message that has no readable job id: its message id when short,
 * else a hash of the message id or of the body. Short, because the event id built from it
 * travels as an AMQP property (at most 255 bytes).
 */
export function messageKeyOf(body: Buffer, messageId: string | undefined): string {
  if (messageId !== undefined && messageId.length <= 64) return messageId;
  return createHash('sha256')
    .update(messageId ?? body)
    .digest('hex')
    .slice(0, 32);
}
