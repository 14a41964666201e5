import { describe, expect, it } from 'vitest';
import {
  amqpReplyCode,
  describeAmqpError,
  isConfigurationError,
} from '../../../src/messaging/amqp-errors.js';

function amqpError(message: string, code?: number): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

const QUEUE_406 =
  'Operation failed: QueueDeclare; 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - ' +
  "inequivalent arg 'x-delivery-limit' for queue 'ocs3.work' in vhost '/': received the value " +
  "'7' of type 'signedint' but current is the value '2' of type 'signedint'\"";
const EXCHANGE_406 =
  'Channel closed by server: 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - ' +
  "inequivalent arg 'type' for exchange 'ocs3.dead' in vhost 'media': received 'topic' but " +
  "current is 'fanout'\"";

describe('describeAmqpError', () => {
  it('names the queue, the argument and both values of a 406', () => {
    const text = describeAmqpError(amqpError(QUEUE_406, 406));
    expect(text).toBe(
      "queue 'ocs3.work' already exists in vhost '/' with a different 'x-delivery-limit' " +
        "(this service declares the value '7' of type 'signedint', the broker has the value '2' " +
        "of type 'signedint'); delete it or align the configuration",
    );
  });

  it('names the exchange and the type of an exchange 406', () => {
    const text = describeAmqpError(amqpError(EXCHANGE_406, 406));
    expect(text).toContain("exchange 'ocs3.dead' already exists in vhost 'media'");
    expect(text).toContain("'type' (this service declares 'topic', the broker has 'fanout')");
  });

  it('passes other messages through, also for non-errors', () => {
    expect(describeAmqpError(new Error('Socket closed abruptly'))).toBe('Socket closed abruptly');
    expect(describeAmqpError('plain')).toBe('plain');
    expect(describeAmqpError(undefined)).toBe('undefined');
  });

  it('does not choke on a hostile, very long message', () => {
    const long = `inequivalent arg '${'a'.repeat(100_000)}`;
    expect(describeAmqpError(new Error(long))).toBe(long);
  });
});

describe('amqpReplyCode', () => {
  it('reads a numeric code only', () => {
    expect(amqpReplyCode(amqpError('x', 404))).toBe(404);
    expect(amqpReplyCode(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBeUndefined();
    expect(amqpReplyCode(null)).toBeUndefined();
    expect(amqpReplyCode(42)).toBeUndefined();
  });
});

describe('isConfigurationError', () => {
  it.each([
    ['a 406 re-declaration', amqpError(QUEUE_406, 406)],
    ['a 403 by code', amqpError('Channel closed', 403)],
    [
      'a refused login',
      amqpError(
        'Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused"',
      ),
    ],
    [
      'an unknown vhost',
      amqpError('Connection closed: 530 (NOT-ALLOWED) with message "NOT_ALLOWED"'),
    ],
  ])('is true for %s', (_, error) => {
    expect(isConfigurationError(error)).toBe(true);
  });

  it.each([
    [
      'a refused TCP connection',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    ],
    ['a forced close', amqpError('Connection closed: 320 (CONNECTION-FORCED)', 320)],
    ['a locked exclusive queue', amqpError('RESOURCE_LOCKED', 405)],
    ['a heartbeat timeout', new Error('Heartbeat timeout')],
  ])('is false for %s', (_, error) => {
    expect(isConfigurationError(error)).toBe(false);
  });
});
