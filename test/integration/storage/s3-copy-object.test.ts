import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../src/storage/s3-object-store.js';
import type { TestS3 } from '../../helpers/s3.js';
import { uniqueKey, useTestStore } from '../../helpers/store-harness.js';

const MiB = 1024 * 1024;

let s3: TestS3;
let bucket: string;
let store: S3ObjectStore;

useTestStore((fixture) => {
  ({ s3, bucket, store } = fixture);
});

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

const key = uniqueKey;

describe('copyObject', () => {
  it('copies server-side, with a new content type', async () => {
    const source = key('source.mp4');
    const target = key('target.mp4');
    await store.putObject({
      bucket,
      key: source,
      body: Readable.from([Buffer.from('movie')]),
      contentType: 'video/mp4',
    });
    const result = await store.copyObject({
      sourceBucket: bucket,
      sourceKey: source,
      bucket,
      key: target,
      contentType: 'application/octet-stream',
    });
    expect(result.size).toBe(5);
    expect(await s3.readObject(bucket, target)).toEqual(Buffer.from('movie'));
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: target }));
    expect(head.ContentType).toBe('application/octet-stream');
  });

  it('copies keys with spaces and non-ASCII characters and keeps the content type', async () => {
    const source = `${key('dir')}/a b ü.vtt`;
    const target = `${key('dir')}/c d é.vtt`;
    await store.putObject({
      bucket,
      key: source,
      body: Readable.from([Buffer.from('cue')]),
      contentType: 'text/vtt',
    });
    await store.copyObject({ sourceBucket: bucket, sourceKey: source, bucket, key: target });
    expect(await s3.readObject(bucket, target)).toEqual(Buffer.from('cue'));
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: target }));
    expect(head.ContentType).toBe('text/vtt');
  });

  it('treats a copy onto itself as done', async () => {
    const source = key('self.txt');
    await store.putObject({ bucket, key: source, body: Readable.from([Buffer.from('abc')]) });
    await expect(
      store.copyObject({ sourceBucket: bucket, sourceKey: source, bucket, key: source }),
    ).resolves.toEqual({ size: 3 });
  });

  it('reports a missing source as SOURCE_NOT_FOUND', async () => {
    await expect(
      store.copyObject({
        sourceBucket: bucket,
        sourceKey: key('missing'),
        bucket,
        key: key('target'),
      }),
    ).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
  });

  it('copies in parts above the threshold (not on s3rver: no UploadPartCopy)', async (context) => {
    if (s3.kind === 'embedded') context.skip();
    const parted = new S3ObjectStore(s3.client, {
      multipartCopyThresholdBytes: 5 * MiB,
      copyPartSizeBytes: 5 * MiB,
    });
    const source = key('big-source.bin');
    const target = key('big-target.bin');
    const content = randomBytes(11 * MiB + 1);
    await parted.putObject({
      bucket,
      key: source,
      body: Readable.from([content]),
      contentType: 'video/mp4',
    });
    await expect(
      parted.copyObject({ sourceBucket: bucket, sourceKey: source, bucket, key: target }),
    ).resolves.toEqual({ size: 11 * MiB + 1 });
    expect(sha256((await s3.readObject(bucket, target))!)).toBe(sha256(content));
  });
});
