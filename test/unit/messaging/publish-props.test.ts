import { afterEach, describe, expect, it, vi } from 'vitest';
import { codeOf } from '../../helpers/app-error.js';
import { toPublishOptions } from '../../../src/messaging/publish-props.js';

const MODE = { persistent: true, mandatory: true };
const body = Buffer.from('{}');

function publish(props: Record<string, unknown>, routingKey = 'distribute') {
  return toPublishOptions(routingKey, body, { messageId: 'm1', ...props }, MODE, 1024);
}

describe('toPublishOptions', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('maps properties and defaults the content type', () => {
    // AMQP timestamps are whole seconds.
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 2, 3, 4, 5, 678) });
    const options = publish({
      correlationId: 'c',
      replyTo: 'r',
      type: 't',
      headers: { a: 'b', n: 1.5, f: false },
    });
    expect(options).toMatchObject({
      messageId: 'm1',
      correlationId: 'c',
      replyTo: 'r',
      type: 't',
      contentType: 'application/json',
      persistent: true,
      mandatory: true,
      headers: { a: 'b', n: 1.5, f: false },
    });
    expect(options.timestamp).toBe(Date.UTC(2026, 0, 2, 3, 4, 5) / 1000);
  });

  it('keeps an explicit content type', () => {
    expect(publish({ contentType: 'application/cloudevents+json' }).contentType).toBe(
      'application/cloudevents+json',
    );
  });

  it.each<[string, Record<string, unknown>]>([
    ['a missing messageId', { messageId: undefined }],
    ['an empty messageId', { messageId: '' }],
    ['a non-string messageId', { messageId: 42 }],
    ['a messageId over 255 bytes', { messageId: 'é'.repeat(128) }],
    ['a control character in correlationId', { correlationId: 'a\r\nb' }],
    ['an empty replyTo', { replyTo: '' }],
    ['a NUL in type', { type: 'a\u0000' }],
    ['headers that are an array', { headers: [] }],
    ['a header object value', { headers: { a: { b: 1 } } }],
    ['a NaN header', { headers: { a: Number.NaN } }],
    ['an empty header name', { headers: { '': 'x' } }],
    ['a broker-owned header', { headers: { 'x-delivery-count': 0 } }],
    ['a fake death history', { headers: { 'X-Death': 'x' } }],
    [
      'too many headers',
      { headers: Object.fromEntries([...Array(65).keys()].map((i) => [`h${i}`, i])) },
    ],
    ['oversized headers', { headers: { big: 'x'.repeat(20_000) } }],
  ])('refuses %s with INVALID_INPUT', (_, props) => {
    expect(codeOf(() => publish(props))).toBe('INVALID_INPUT');
  });

  it.each(['', 'k'.repeat(256), 'a\nb'])('refuses the routing key %j', (routingKey) => {
    expect(codeOf(() => publish({}, routingKey))).toBe('INVALID_INPUT');
  });

  it('refuses a body over the limit with PAYLOAD_TOO_LARGE and accepts one at it', () => {
    const run = (size: number) => () =>
      toPublishOptions('k', Buffer.alloc(size), { messageId: 'm' }, MODE, 1024);
    expect(codeOf(run(1025))).toBe('PAYLOAD_TOO_LARGE');
    expect(codeOf(run(1024))).toBeUndefined();
  });

  it('refuses a body that is not a Buffer', () => {
    const run = () =>
      toPublishOptions('k', 'text' as unknown as Buffer, { messageId: 'm' }, MODE, 1024);
    expect(codeOf(run)).toBe('INVALID_INPUT');
  });

  it('copies a header named __proto__ as plain data', () => {
    const headers = JSON.parse('{"__proto__": "x", "ok": 1}') as Record<string, string>;
    const options = publish({ headers });
    const copy = options.headers as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'ok']);
  });
});
