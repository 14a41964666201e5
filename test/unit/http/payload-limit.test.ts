import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { payloadLimit } from '../../../src/http/payload-limit.js';

/** An app that echoes the body length, behind the limit; refusals render as 413. */
function app(maxBytes: number, drainBytes?: number) {
  const hono = new Hono();
  hono.use('*', payloadLimit({ maxBytes, drainBytes, tooLarge: () => new Error('too large') }));
  hono.post('/', async (c) => c.text(String((await c.req.arrayBuffer()).byteLength)));
  hono.onError((_err, c) => c.text('too large', 413));
  return hono;
}

/** A body stream of `size` bytes in 1 KiB chunks, of unknown length. */
function counted(size: number) {
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) {
        controller.close();
        return;
      }
      const chunk = new Uint8Array(Math.min(1024, size - sent));
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
  return { body };
}

function post(body: ReadableStream<Uint8Array> | string, headers: Record<string, string> = {}) {
  return new Request('http://localhost/', { method: 'POST', body, headers, duplex: 'half' });
}

describe('payloadLimit', () => {
  it('passes a declared body within the limit untouched', async () => {
    const res = await app(10).request(post('0123456789', { 'content-length': '10' }));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('10');
  });

  it('answers a declared oversize body 413 and closes the connection', async () => {
    const res = await app(1024).request(post('x'.repeat(4096), { 'content-length': '4096' }));
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
  });

  it('answers a declared body beyond the drain bound 413 as well', async () => {
    const size = 64 * 1024;
    const res = await app(1024, 4096).request(
      post('x'.repeat(size), { 'content-length': String(size) }),
    );
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
  });

  it('limits a body of unknown length too', async () => {
    const over = await app(1024).request(post(counted(4096).body));
    expect(over.status).toBe(413);
    const within = await app(1024).request(post(counted(1000).body));
    expect(await within.text()).toBe('1000');
  });
});
