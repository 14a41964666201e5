import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { ByteCounter } from '../../../src/storage/byte-counter.js';

async function drain(chunks: readonly (Buffer | string)[], counter: ByteCounter): Promise<number> {
  let seen = 0;
  await pipeline(
    Readable.from(chunks, { objectMode: false }),
    counter,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        seen += chunk.length;
        callback();
      },
    }),
  );
  return seen;
}

describe('ByteCounter', () => {
  it('passes bytes through and counts them', async () => {
    const counter = new ByteCounter({ maxBytes: 100 });
    expect(await drain([Buffer.from('hello'), Buffer.from(' world')], counter)).toBe(11);
    expect(counter.bytes).toBe(11);
  });

  it('counts strings in UTF-8 bytes', async () => {
    const counter = new ByteCounter({ maxBytes: 100 });
    expect(await drain(['é', 'ü'], counter)).toBe(4);
    expect(counter.bytes).toBe(4);
  });

  it('accepts a body of exactly the declared length', async () => {
    const counter = new ByteCounter({ expectedBytes: 5, maxBytes: 5 });
    await expect(drain([Buffer.from('12345')], counter)).resolves.toBe(5);
  });

  it('fails a body shorter than declared at its end', async () => {
    const counter = new ByteCounter({ expectedBytes: 10, maxBytes: 10 });
    await expect(drain([Buffer.from('12345')], counter)).rejects.toMatchObject({
      code: 'SOURCE_UNAVAILABLE',
      message: 'The body has only 5 bytes but its declared length is 10',
    });
  });

  it('fails a body longer than declared as soon as it is', async () => {
    const counter = new ByteCounter({ expectedBytes: 3, maxBytes: 3 });
    await expect(
      drain([Buffer.from('12'), Buffer.from('34'), Buffer.from('56')], counter),
    ).rejects.toMatchObject({
      code: 'SOURCE_UNAVAILABLE',
    });
    expect(counter.bytes).toBe(4);
  });

  it('fails an unknown-length body over the maximum', async () => {
    const counter = new ByteCounter({ maxBytes: 4 });
    await expect(drain([Buffer.alloc(3), Buffer.alloc(3)], counter)).rejects.toMatchObject({
      code: 'STORAGE_REJECTED',
    });
  });

  it('refuses object-mode input that is not bytes', async () => {
    const counter = new ByteCounter({ maxBytes: 100 });
    await expect(
      pipeline(
        Readable.from([{ not: 'bytes' }]),
        counter,
        new Writable({
          write: (_chunk, _encoding, callback) => {
            callback();
          },
        }),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
