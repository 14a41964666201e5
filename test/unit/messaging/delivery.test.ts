import type { Message } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { deliveryCountOf, isDisposition, toDelivery } from '../../../src/messaging/delivery.js';

function message(properties: Record<string, unknown>, redelivered = false): Message {
  return {
    content: Buffer.from('body'),
    fields: { deliveryTag: 1, redelivered, exchange: 'x', routingKey: 'distribute' },
    properties: properties as unknown as Message['properties'],
  };
}

describe('toDelivery', () => {
  it('copies body, ids, routing key and headers', () => {
    const delivery = toDelivery(
      message({
        messageId: 'm1',
        correlationId: 'c1',
        replyTo: 'q',
        type: 'distribute',
        contentType: 'application/json',
        headers: { a: 1 },
      }),
    );
    expect(delivery).toEqual({
      body: Buffer.from('body'),
      messageId: 'm1',
      correlationId: 'c1',
      replyTo: 'q',
      type: 'distribute',
      contentType: 'application/json',
      routingKey: 'distribute',
      headers: { a: 1 },
      redelivered: false,
      deliveryCount: 0,
    });
  });

  it('treats missing, empty and non-string properties as absent', () => {
    const delivery = toDelivery(
      message({
        messageId: '',
        correlationId: 42,
        replyTo: null,
        type: { x: 1 },
        headers: undefined,
      }),
    );
    expect(delivery.messageId).toBeUndefined();
    expect(delivery.correlationId).toBeUndefined();
    expect(delivery.replyTo).toBeUndefined();
    expect(delivery.type).toBeUndefined();
    expect(delivery.headers).toEqual({});
  });

  it('ignores headers that are not an object', () => {
    expect(toDelivery(message({ headers: 'x' })).headers).toEqual({});
    expect(toDelivery(message({ headers: [1, 2] })).headers).toEqual({});
  });

  it('keeps a header named __proto__ as plain data', () => {
    const headers: Record<string, unknown> = {};
    Object.defineProperty(headers, '__proto__', {
      value: { polluted: true },
      enumerable: true,
    });
    const delivery = toDelivery(message({ headers }));
    expect(Object.getPrototypeOf(delivery.headers)).toBe(Object.prototype);
    expect((delivery.headers as { polluted?: boolean }).polluted).toBeUndefined();
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('reads the delivery count of a redelivered message', () => {
    expect(toDelivery(message({ headers: { 'x-delivery-count': 2 } }, true)).deliveryCount).toBe(2);
  });
});

describe('deliveryCountOf', () => {
  it('is 0 for a first delivery whatever the header says', () => {
    expect(deliveryCountOf({ 'x-delivery-count': 99 }, false)).toBe(0);
  });

  it('accepts bigint counts', () => {
    expect(deliveryCountOf({ 'x-delivery-count': 3n }, true)).toBe(3);
  });

  it.each([undefined, -1, 1.5, '2', Number.NaN, Infinity, 2 ** 60, { n: 1 }])(
    'reads %s as 0',
    (value) => {
      expect(deliveryCountOf({ 'x-delivery-count': value }, true)).toBe(0);
    },
  );
});

describe('isDisposition', () => {
  it('accepts exactly the three dispositions', () => {
    expect(['ack', 'dead-letter', 'requeue'].every(isDisposition)).toBe(true);
    for (const value of ['ACK', 'nack', '', undefined, null, 1, {}]) {
      expect(isDisposition(value)).toBe(false);
    }
  });
});
