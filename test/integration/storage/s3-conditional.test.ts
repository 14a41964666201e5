/**
 * The store requests behind a run's ownership of its objects, against a real S3 server:
 * metadata and ETags round-trip, and a create-only write to a taken key is refused (the
 * test S3 honours If-None-Match like AWS and MinIO; plain s3rver, which does not, shows
 * the probe's other answer). s3rver ignores If-Match on deletes: that 412 branch is
 * covered by unit tests.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConditionalWrites, PROBE_PREFIX } from '../../../src/storage/conditional-writes.js';
import { S3ObjectStore } from '../../../src/storage/s3-object-store.js';
import { startTestS3, type TestS3 } from '../../helpers/s3.js';
import { uniqueKey, useTestStore } from '../../helpers/store-harness.js';

const MiB = 1024 * 1024;
const metadata = { 'ocs3-run': 'run-1', 'ocs3-job': '42' };

let s3: TestS3;
let bucket: string;
let store: S3ObjectStore;

useTestStore((fixture) => {
  ({ s3, bucket, store } = fixture);
});

describe('S3ObjectStore conditional requests', () => {
  it.each([
    ['a single PutObject', 1000],
    ['a multipart upload', 6 * MiB],
  ])(
    'creates with %s and reads back its metadata and the ETag the write returned',
    async (_how, size) => {
      const key = uniqueKey('created.bin');
      const data = randomBytes(size);
      const created = await store.createObject({
        bucket,
        key,
        body: Readable.from([data]),
        contentLength: size,
        metadata,
      });
      expect(created?.size).toBe(size);
      expect(created?.etag).toMatch(/^".+"$/);
      const stat = await store.statObject(bucket, key);
      expect(stat).toEqual({ size, etag: created?.etag, metadata });
      expect((await s3.readObject(bucket, key))?.equals(data)).toBe(true);
    },
  );

  it('stores metadata with an unconditional put too', async () => {
    const key = uniqueKey('put.txt');
    await store.putObject({ bucket, key, body: Readable.from([Buffer.from('x')]), metadata });
    expect((await store.statObject(bucket, key))?.metadata).toEqual(metadata);
  });

  it('says undefined for a missing object', async () => {
    expect(await store.statObject(bucket, uniqueKey('missing.txt'))).toBeUndefined();
  });

  it('deletes on a matching ETag, and calls a missing object deleted', async () => {
    const key = uniqueKey('delete.txt');
    const created = await store.createObject({
      bucket,
      key,
      body: Readable.from([Buffer.from('x')]),
      metadata,
    });
    expect(await store.deleteObjectIfMatch(bucket, key, created?.etag ?? '')).toBe(true);
    expect(await s3.readObject(bucket, key)).toBeUndefined();
    expect(await store.deleteObjectIfMatch(bucket, key, '"gone"')).toBe(true);
  });

  it('refuses a create-only write to a key that holds an object, and leaves it alone', async () => {
    const key = uniqueKey('taken.txt');
    const first = await store.createObject({
      bucket,
      key,
      body: Readable.from([Buffer.from('first')]),
      metadata,
    });
    expect(first?.etag).toMatch(/^".+"$/);
    const second = await store.createObject({
      bucket,
      key,
      body: Readable.from([Buffer.from('second')]),
      contentLength: 6,
      metadata: { ...metadata, 'ocs3-run': 'run-2' },
    });
    expect(second).toBeUndefined();
    expect((await s3.readObject(bucket, key))?.toString()).toBe('first');
    expect((await store.statObject(bucket, key))?.metadata).toEqual(metadata);
  });

  it('lets exactly one of concurrent create-only writes of a key win', async () => {
    const key = uniqueKey('race.txt');
    const outcomes = await Promise.all(
      ['a', 'b', 'c', 'd'].map((name) =>
        store.createObject({
          bucket,
          key,
          body: Readable.from([Buffer.from(name)]),
          contentLength: 1,
          metadata,
        }),
      ),
    );
    const winners = outcomes.filter((outcome) => outcome !== undefined);
    expect(winners).toHaveLength(1);
    expect((await store.statObject(bucket, key))?.etag).toBe(winners[0]?.etag);
  });

  it('probes whether the store honours If-None-Match, and leaves no probe object', async () => {
    expect(s3.conditionalWrites).toBe(true);
    expect(await new ConditionalWrites(s3.client, 'auto').honoured(bucket)).toBe(true);
    expect(await s3.listKeys(bucket, PROBE_PREFIX)).toEqual([]);
    expect(await new ConditionalWrites(s3.client, 'on').honoured(bucket)).toBe(true);
    expect(await new ConditionalWrites(s3.client, 'off').honoured(bucket)).toBe(false);
  });

  it('asks for a HEAD before multipart and unknown-length creates, and per the probe for small ones', async () => {
    const trusting = new S3ObjectStore(s3.client, {
      partSizeBytes: 5 * MiB,
      conditionalWrites: 'on',
    });
    expect(await trusting.mustCheckBeforeCreate(bucket, 1000)).toBe(false);
    expect(await trusting.mustCheckBeforeCreate(bucket, 5 * MiB)).toBe(true);
    expect(await trusting.mustCheckBeforeCreate(bucket, undefined)).toBe(true);
    expect(await store.mustCheckBeforeCreate(bucket, 1000)).toBe(false);
  });

  it('finds plain s3rver not honouring If-None-Match, so small creates keep their HEAD', async (context) => {
    if (s3.kind !== 'embedded') context.skip();
    const plain = await startTestS3({ conditionalWrites: false });
    try {
      const plainBucket = await plain.createBucket();
      expect(await new ConditionalWrites(plain.client, 'auto').honoured(plainBucket)).toBe(false);
      expect(await plain.listKeys(plainBucket, PROBE_PREFIX)).toEqual([]);
      const plainStore = new S3ObjectStore(plain.client, { partSizeBytes: 5 * MiB });
      expect(await plainStore.mustCheckBeforeCreate(plainBucket, 1000)).toBe(true);
    } finally {
      await plain.close();
    }
  });
});
