import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import type { S3ObjectStore } from '../../../src/storage/s3-object-store.js';
import type { TestS3 } from '../../helpers/s3.js';
import { uniqueKey, useTestStore } from '../../helpers/store-harness.js';

const MiB = 1024 * 1024;

let s3: TestS3;
let bucket: string;
let store: S3ObjectStore;

useTestStore((fixture) => {
  ({ s3, bucket, store } = fixture);
});

/** A stream of pseudo-random bytes of unknown length, hashed as it is produced. */
function generated(
  totalBytes: number,
  chunkBytes = 256 * 1024,
): { body: Readable; digest: () => string } {
  const hash = createHash('sha256');
  let produced = 0;
  let seed = createHash('sha256').update(String(totalBytes)).digest();
  const body = new Readable({
    read() {
      if (produced >= totalBytes) {
        this.push(null);
        return;
      }
      const size = Math.min(chunkBytes, totalBytes - produced);
      const chunk = Buffer.alloc(size);
      for (let offset = 0; offset < size; offset += 32) {
        seed = createHash('sha256').update(seed).digest();
        seed.copy(chunk, offset, 0, Math.min(32, size - offset));
      }
      produced += size;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return { body, digest: () => hash.digest('hex') };
}

/** A stream that never ends: 1 MiB chunks until destroyed; reports how much it produced. */
function endless(): { body: Readable; produced: () => number } {
  let produced = 0;
  const body = new Readable({
    read() {
      setImmediate(() => {
        produced += MiB;
        this.push(Buffer.alloc(MiB, produced % 251));
      });
    },
  });
  return { body, produced: () => produced };
}

/** Waits until `condition` holds, polling every 10 ms. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

const key = uniqueKey;

describe('putObject', () => {
  it('stores a small body byte for byte and keeps its content type', async () => {
    const content = Buffer.from('WEBVTT\n\n00:00.000 --> 00:01.000\nHallo \u00e9\u00fc\n');
    const target = key('captions.vtt');
    const result = await store.putObject({
      bucket,
      key: target,
      body: Readable.from([content]),
      contentType: 'text/vtt',
    });
    expect(result.size).toBe(content.length);
    expect(await s3.readObject(bucket, target)).toEqual(content);
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: target }));
    expect(head.ContentType).toBe('text/vtt');
  });

  it('stores an empty body', async () => {
    const target = key('empty.txt');
    const result = await store.putObject({ bucket, key: target, body: Readable.from([]) });
    expect(result.size).toBe(0);
    expect(await s3.readObject(bucket, target)).toEqual(Buffer.alloc(0));
  });

  it('stores keys with spaces, escapes, queries and non-ASCII characters as given', async () => {
    const target = `${key('dir')}/a b%20c?x=1&y=ü.mp4`;
    await store.putObject({ bucket, key: target, body: Readable.from([Buffer.from('x')]) });
    expect(await s3.readObject(bucket, target)).toEqual(Buffer.from('x'));
    expect(await store.headObject(bucket, target)).toBe(1);
  });

  it('streams 40 MiB of unknown length as a multipart upload, content intact', async () => {
    const target = key('large.mp4');
    const source = generated(40 * MiB);
    // Watches the real requests (no stand-in): each UploadPart is one part.
    let parts = 0;
    s3.client.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'UploadPartCommand') parts++;
        return next(args);
      },
      { step: 'initialize', name: 'countUploadParts' },
    );
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 20);
    let result: { size: number };
    try {
      result = await store.putObject({
        bucket,
        key: target,
        body: source.body,
        contentType: 'video/mp4',
      });
    } finally {
      clearInterval(sampler);
      s3.client.middlewareStack.remove('countUploadParts');
    }
    // Informational only (memory is not asserted): expect roughly partSize x (queueSize + 1).
    console.info(`40 MiB upload: peak RSS growth ${((rssPeak - rssBefore) / MiB).toFixed(1)} MiB`);
    expect(result.size).toBe(40 * MiB);
    // 40 MiB in 5 MiB parts.
    expect(parts).toBe(8);
    const stored = await s3.readObject(bucket, target);
    expect(stored?.length).toBe(40 * MiB);
    expect(sha256(stored!)).toBe(source.digest());
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: target }));
    expect(head.ContentType).toBe('video/mp4');
  });

  it('uses a known length', async () => {
    const target = key('known.bin');
    const source = generated(11 * MiB + 7);
    const result = await store.putObject({
      bucket,
      key: target,
      body: source.body,
      contentLength: 11 * MiB + 7,
    });
    expect(result.size).toBe(11 * MiB + 7);
    expect(sha256((await s3.readObject(bucket, target))!)).toBe(source.digest());
  });

  it.each([
    ['shorter', 6 * MiB, 7 * MiB],
    ['longer', 6 * MiB, 5 * MiB + 3],
    ['shorter, single part', 100, 200],
  ])(
    'refuses a body %s than its declared length and stores nothing',
    async (_case, actual, declared) => {
      const target = key('mismatch.bin');
      await expect(
        store.putObject({
          bucket,
          key: target,
          body: generated(actual).body,
          contentLength: declared,
        }),
      ).rejects.toMatchObject({ code: 'SOURCE_UNAVAILABLE' });
      expect(await store.headObject(bucket, target)).toBeUndefined();
    },
  );

  it('leaves no object when aborted mid-upload, and destroys the body', async () => {
    const target = key('aborted.mp4');
    const source = endless();
    const controller = new AbortController();
    const upload = store.putObject({
      bucket,
      key: target,
      body: source.body,
      signal: controller.signal,
    });
    await until(() => source.produced() >= 12 * MiB);
    controller.abort();
    await expect(upload).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE', retryable: true });
    expect(source.body.destroyed).toBe(true);
    expect(await store.headObject(bucket, target)).toBeUndefined();
    expect(await s3.listKeys(bucket, target)).toEqual([]);
  });

  it('rejects with the abort reason when it is an AppError', async () => {
    const source = endless();
    const controller = new AbortController();
    const reason = new AppError('REPLY_TIMEOUT', 'deadline passed');
    const upload = store.putObject({
      bucket,
      key: key('x.bin'),
      body: source.body,
      signal: controller.signal,
    });
    await until(() => source.produced() >= 2 * MiB);
    controller.abort(reason);
    await expect(upload).rejects.toBe(reason);
  });

  it('does nothing with an already aborted signal', async () => {
    const target = key('never.bin');
    const body = Readable.from([Buffer.from('x')]);
    await expect(
      store.putObject({ bucket, key: target, body, signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    expect(body.destroyed).toBe(true);
    expect(await store.headObject(bucket, target)).toBeUndefined();
  });

  it.each([
    ['an AppError', new AppError('SOURCE_NOT_FOUND', 'gone'), 'SOURCE_NOT_FOUND'],
    ['a plain error', new Error('socket hang up'), 'SOURCE_UNAVAILABLE'],
  ])('keeps a source failure (%s) and stores nothing', async (_case, failure, code) => {
    const target = key('broken.mp4');
    const source = endless();
    void until(() => source.produced() >= 7 * MiB).then(() => source.body.destroy(failure));
    await expect(store.putObject({ bucket, key: target, body: source.body })).rejects.toMatchObject(
      { code },
    );
    expect(await store.headObject(bucket, target)).toBeUndefined();
  });

  it.each([
    ['an AppError', new AppError('SOURCE_NOT_FOUND', 'gone'), 'SOURCE_NOT_FOUND'],
    ['a plain error', new Error('socket hang up'), 'SOURCE_UNAVAILABLE'],
  ])(
    'keeps a source failure (%s) of a body smaller than a part and stores nothing',
    async (_case, failure, code) => {
      const target = key('broken-small.xml');
      const body = new Readable({ read: () => undefined });
      body.push(Buffer.from('<partial'));
      const upload = store.putObject({ bucket, key: target, body, contentLength: 1000 });
      setImmediate(() => body.destroy(failure));
      await expect(upload).rejects.toMatchObject({ code });
      expect(await store.headObject(bucket, target)).toBeUndefined();
    },
  );

  it('stops a body smaller than a part with the abort reason, and stores nothing', async () => {
    const target = key('aborted-small.xml');
    const body = new Readable({ read: () => undefined });
    body.push(Buffer.from('<partial'));
    const controller = new AbortController();
    const reason = new AppError('DEADLINE_EXCEEDED', 'time is up');
    const upload = store.putObject({
      bucket,
      key: target,
      body,
      contentLength: 1000,
      signal: controller.signal,
    });
    setImmediate(() => {
      controller.abort(reason);
    });
    await expect(upload).rejects.toBe(reason);
    expect(body.destroyed).toBe(true);
    expect(await store.headObject(bucket, target)).toBeUndefined();
  });

  it('refuses object-mode bodies that are not bytes', async () => {
    const target = key('objects.bin');
    await expect(
      store.putObject({ bucket, key: target, body: Readable.from([{ evil: true }]) }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await store.headObject(bucket, target)).toBeUndefined();
  });

  it.each(['', 'a\u0000b', 'x'.repeat(1025)])(
    'refuses the key %j before any request',
    async (badKey) => {
      const body = Readable.from([Buffer.from('x')]);
      await expect(store.putObject({ bucket, key: badKey, body })).rejects.toMatchObject({
        code: 'INVALID_KEY',
      });
      expect(body.destroyed).toBe(true);
    },
  );
});
