import { describe, expect, it } from 'vitest';
import { brokerStartError } from '../../../src/compose/broker.js';
import { AppError } from '../../../src/errors.js';

describe('brokerStartError', () => {
  it('names AMQP_URL and what to write, keeping the reason and code', () => {
    const cause = new AppError(
      'BROKER_UNAVAILABLE',
      'no connection to amqp://h:5672 within 10000 ms',
    );
    const error = brokerStartError(cause);
    expect(error.code).toBe('BROKER_UNAVAILABLE');
    expect(error.message).toMatch(
      /^Cannot reach RabbitMQ as AMQP_URL says: no connection to amqp:\/\/h:5672/,
    );
    expect(error.message).toMatch(
      /set AMQP_URL to where it runs \(amqp:\/\/user:password@host:5672/,
    );
    expect(error.cause).toBe(cause);
  });

  it('turns an unexpected error into BROKER_UNAVAILABLE', () => {
    expect(brokerStartError(new Error('socket hang up')).code).toBe('BROKER_UNAVAILABLE');
  });
});
