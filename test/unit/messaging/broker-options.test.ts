import { describe, expect, it } from 'vitest';
import type { AppError } from '../../../src/errors.js';
import { redactUrl, resolveBrokerOptions } from '../../../src/messaging/broker-options.js';
import type { BrokerOptions } from '../../../src/messaging/broker-options.js';

const logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
};
const base: BrokerOptions = {
  url: 'amqp://u:secret@rabbit:5672/vh',
  prefix: 'ocs3',
  deliveryLimit: 5,
  logger,
};

describe('resolveBrokerOptions', () => {
  it('applies defaults', () => {
    expect(resolveBrokerOptions(base, 'name')).toMatchObject({
      confirmTimeoutMs: 10_000,
      connectTimeoutMs: 10_000,
      maxBodyBytes: 32 * 1024 * 1024,
      connectionName: 'name',
      replyQueueExpiresMs: 60_000,
    });
  });

  it('accepts a reply queue expiry just above the longest reconnect delay', () => {
    const resolved = resolveBrokerOptions(
      { ...base, reconnectMaxDelayMs: 200, replyQueueExpiresMs: 201 },
      'n',
    );
    expect(resolved.replyQueueExpiresMs).toBe(201);
  });

  it.each<[string, Partial<BrokerOptions>]>([
    ['a zero delivery limit', { deliveryLimit: 0 }],
    ['a fractional delivery limit', { deliveryLimit: 1.5 }],
    ['a negative confirm timeout', { confirmTimeoutMs: -1 }],
    ['an infinite connect timeout', { connectTimeoutMs: Infinity }],
    ['a NaN body limit', { maxBodyBytes: Number.NaN }],
    ['a bad prefix', { prefix: 'a b' }],
    ['a zero reply queue expiry', { replyQueueExpiresMs: 0 }],
    ['a fractional reply queue expiry', { replyQueueExpiresMs: 1_500.5 }],
    ['a reply queue expiry over a day', { replyQueueExpiresMs: 86_400_001 }],
    ['a reply queue expiry not above the default reconnect delay', { replyQueueExpiresMs: 10_000 }],
    [
      'a reply queue expiry shorter than the reconnect delay',
      { reconnectMaxDelayMs: 5_000, replyQueueExpiresMs: 4_000 },
    ],
    ['an http URL', { url: 'http://rabbit' }],
    ['garbage as URL', { url: 'not a url' }],
  ])('refuses %s with INVALID_INPUT', (_, override) => {
    expect(() => resolveBrokerOptions({ ...base, ...override }, 'n')).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }) as AppError,
    );
  });

  it('never puts the URL or its password into the error', () => {
    try {
      resolveBrokerOptions({ ...base, url: 'amqp://u:hunter2@[bad' }, 'n');
      expect.fail('should throw');
    } catch (error) {
      expect(String(error)).not.toContain('hunter2');
      expect((error as AppError).cause).toBeUndefined();
    }
  });
});

describe('redactUrl', () => {
  it('drops credentials and query', () => {
    expect(redactUrl('amqps://user:pw@host:5671/vhost?heartbeat=30')).toBe(
      'amqps://host:5671/vhost',
    );
  });
});
