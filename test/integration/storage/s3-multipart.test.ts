/**
 * The service's own multipart uploader (src/storage/s3-multipart.ts) against a real S3
 * protocol server, with a logging proxy in front so the tests see which requests it sent:
 * exact bytes across part boundaries, a body of unknown length that fits in one part going
 * as one PutObject, zero bytes, at most queueSize parts in flight while reading pauses,
 * and failures (source, abort, If-None-Match) that leave no object and no open upload.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { createS3Client } from '../../../src/storage/s3-client.js';
import { S3ObjectStore } from '../../../src/storage/s3-object-store.js';
import { startTestS3, type TestS3 } from '../../helpers/s3.js';
import {
  isAbortMultipart,
  isUploadPart,
  startS3Proxy,
  type ProxiedRequest,
  type S3Proxy,
} from '../../helpers/s3-proxy.js';
import { uniqueKey } from '../../helpers/store-harness.js';
import { waitFor } from '../../helpers/wait-for.js';

const MiB = 1024 * 1024;
const PART = 5 * MiB;
const QUEUE = 2;

let s3: TestS3 | undefined;
let proxy: S3Proxy | undefined;
let bucket = '';
let client: ReturnType<typeof createS3Client> | undefined;

beforeAll(async () => {
  s3 = await startTestS3();
  bucket = await s3.createBucket();
  proxy = await startS3Proxy(s3.endpoint);
  client = createS3Client({
    region: s3.region,
    endpoint: proxy.endpoint,
    credentials: s3.credentials,
    forcePathStyle: true,
    maxAttempts: 1,
  });
}, 60_000);

afterEach(() => {
  proxy?.setRule(() => 'pass');
});

afterAll(async () => {
  client?.destroy();
  await proxy?.close();
  await s3?.close();
});

function live(): { s3: TestS3; proxy: S3Proxy; store: S3ObjectStore } {
  if (s3 === undefined || proxy === undefined || client === undefined) {
    throw new Error('setup failed');
  }
  return {
    s3,
    proxy,
    store: new S3ObjectStore(client, { partSizeBytes: PART, queueSize: QUEUE }),
  };
}

/** The requests the proxy saw for one key, by kind. */
function requestsFor(key: string) {
  const mine = live().proxy.requests.filter((r) => decodeURIComponent(r.path).endsWith(`/${key}`));
  const is = (test: (r: ProxiedRequest) => boolean) => mine.filter(test).length;
  return {
    puts: is((r) => r.method === 'PUT' && !r.query.has('uploadId')),
    creates: is((r) => r.method === 'POST' && r.query.has('uploads')),
    parts: is(isUploadPart),
    completes: is((r) => r.method === 'POST' && r.query.has('uploadId')),
    aborts: is(isAbortMultipart),
  };
}

/** `data` in chunks of `size` bytes (the last may be shorter). */
function chunksOf(data: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) chunks.push(data.subarray(at, at + size));
  return Readable.from(chunks);
}

/** `data` in chunks, then an error instead of the end. */
function failingAfter(data: Buffer, error: Error): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < data.length; at += 256 * 1024) yield data.subarray(at, at + 256 * 1024);
      throw error;
    })(),
  );
}

/** 1 MiB chunks until destroyed; tells how many bytes were read from it. */
function endless(): { body: Readable; produced: () => number } {
  let produced = 0;
  const chunk = randomBytes(MiB);
  const body = new Readable({
    read() {
      produced += chunk.length;
      this.push(chunk);
    },
  });
  return { body, produced: () => produced };
}

function sha256(data: Buffer | undefined): string | undefined {
  return data === undefined ? undefined : createHash('sha256').update(data).digest('hex');
}

async function exists(key: string): Promise<boolean> {
  return (await live().store.headObject(bucket, key)) !== undefined;
}

/**
 * The multipart uploads S3 still holds for `key`, or undefined where the server cannot
 * list them (s3rver answers NotImplemented; the AbortMultipartUpload sent is checked there).
 */
async function openUploadsAt(key: string): Promise<number | undefined> {
  const { s3 } = live();
  if (s3.kind === 'embedded') return undefined;
  const listed = await s3.client.send(
    new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }),
  );
  return (listed.Uploads ?? []).length;
}

/** Settles `promise` into its failure (undefined when it resolved). */
function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('the multipart uploader', () => {
  it('stores 12 MiB of known length in three 5 MiB parts, byte for byte, with type and metadata', async () => {
    const { s3, store } = live();
    const key = uniqueKey('twelve.bin');
    const data = randomBytes(12 * MiB);
    // 300,000-byte chunks: part boundaries fall inside chunks.
    const result = await store.createObject({
      bucket,
      key,
      body: chunksOf(data, 300_000),
      contentLength: data.length,
      contentType: 'video/mp4',
      metadata: { 'ocs3-run': 'r1' },
    });
    expect(result?.size).toBe(data.length);
    expect(requestsFor(key)).toEqual({ puts: 0, creates: 1, parts: 3, completes: 1, aborts: 0 });
    expect(sha256(await s3.readObject(bucket, key))).toBe(sha256(data));
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ContentType).toBe('video/mp4');
    expect(head.Metadata).toEqual({ 'ocs3-run': 'r1' });
    expect(head.ETag).toBe(result?.etag);
  });

  it('stores a body of unknown length that spans parts, byte for byte', async () => {
    const { s3, store } = live();
    const key = uniqueKey('unknown-long.bin');
    const data = randomBytes(11 * MiB + 12_345);
    const result = await store.putObject({ bucket, key, body: chunksOf(data, 65_536 + 7) });
    expect(result.size).toBe(data.length);
    expect(requestsFor(key)).toMatchObject({ puts: 0, creates: 1, parts: 3, completes: 1 });
    expect(sha256(await s3.readObject(bucket, key))).toBe(sha256(data));
  });

  it.each([
    ['smaller than a part', 1 * MiB + 3],
    ['exactly one part', PART],
  ])(
    'sends a body of unknown length %s as one PutObject, with type and metadata',
    async (_how, size) => {
      const { s3, store } = live();
      const key = uniqueKey('unknown-short.bin');
      const data = randomBytes(size);
      const result = await store.putObject({
        bucket,
        key,
        body: chunksOf(data, 100_000),
        contentType: 'text/vtt',
        metadata: { 'ocs3-job': '7' },
      });
      expect(result.size).toBe(size);
      expect(requestsFor(key)).toEqual({ puts: 1, creates: 0, parts: 0, completes: 0, aborts: 0 });
      expect(sha256(await s3.readObject(bucket, key))).toBe(sha256(data));
      const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      expect(head.ContentType).toBe('text/vtt');
      expect(head.Metadata).toEqual({ 'ocs3-job': '7' });
    },
  );

  it('stores zero bytes of unknown length as an empty object', async () => {
    const { s3, store } = live();
    const key = uniqueKey('empty.bin');
    const result = await store.putObject({ bucket, key, body: Readable.from([]) });
    expect(result.size).toBe(0);
    expect(requestsFor(key)).toMatchObject({ puts: 1, creates: 0, parts: 0 });
    expect((await s3.readObject(bucket, key))?.length).toBe(0);
  });

  it('keeps at most queueSize parts in flight and stops reading while no part buffer is free', async () => {
    const { proxy, store } = live();
    proxy.setRule((r) => (isUploadPart(r) ? 'stall' : 'pass'));
    const key = uniqueKey('bounded.bin');
    const source = endless();
    const controller = new AbortController();
    const upload = failureOf(
      store.putObject({ bucket, key, body: source.body, signal: controller.signal }),
    );
    await waitFor(() => requestsFor(key).parts >= QUEUE, 20_000, 'parts in flight');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const read = source.produced();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(requestsFor(key).parts).toBe(QUEUE);
    expect(source.produced()).toBe(read);
    // queueSize parts in flight, one full waiting for room, and a few 1 MiB chunks held by
    // the streams and the read loop.
    expect(read).toBeLessThanOrEqual((QUEUE + 1) * PART + 4 * MiB);
    controller.abort(new AppError('SHUTTING_DOWN', 'stopping'));
    expect(await upload).toMatchObject({ code: 'SHUTTING_DOWN' });
    expect(source.body.destroyed).toBe(true);
  });
});

describe('a failed multipart upload', () => {
  it.each([
    ['known', 20 * MiB],
    ['unknown', undefined],
  ])(
    'of %s length whose source fails mid-way leaves no object and no open upload',
    async (_how, contentLength) => {
      const { store } = live();
      const key = uniqueKey('source-fails.bin');
      const body = failingAfter(randomBytes(12 * MiB), new Error('connection reset by source'));
      const failure = await failureOf(store.putObject({ bucket, key, body, contentLength }));
      expect(failure).toMatchObject({ code: 'SOURCE_UNAVAILABLE' });
      expect(body.destroyed).toBe(true);
      expect(await exists(key)).toBe(false);
      const seen = requestsFor(key);
      expect(seen).toMatchObject({ creates: 1, completes: 0, aborts: 1 });
      expect((await openUploadsAt(key)) ?? 0).toBe(0);
      // Nothing left in the store's register for shutdown to abort.
      await store.abortOpenUploads();
      expect(requestsFor(key).aborts).toBe(1);
    },
  );

  it('stops when aborted mid-way, with the abort reason, leaving no object and no open upload', async () => {
    const { store } = live();
    const key = uniqueKey('aborted.bin');
    const source = endless();
    const controller = new AbortController();
    const upload = failureOf(
      store.putObject({ bucket, key, body: source.body, signal: controller.signal }),
    );
    await waitFor(() => requestsFor(key).parts >= 2, 20_000, 'parts sent');
    controller.abort(new AppError('SHUTTING_DOWN', 'stopping'));
    expect(await upload).toMatchObject({ code: 'SHUTTING_DOWN' });
    expect(source.body.destroyed).toBe(true);
    expect(await exists(key)).toBe(false);
    expect(requestsFor(key)).toMatchObject({ completes: 0, aborts: 1 });
    expect((await openUploadsAt(key)) ?? 0).toBe(0);
  });

  it('is refused by If-None-Match at completion when the key exists, and replaces nothing', async () => {
    const { s3, store } = live();
    if (!s3.conditionalWrites) return;
    const key = uniqueKey('taken.bin');
    const original = randomBytes(1000);
    await store.putObject({ bucket, key, body: Readable.from([original]) });
    const data = randomBytes(11 * MiB);
    const created = await store.createObject({
      bucket,
      key,
      body: chunksOf(data, 256 * 1024),
      contentLength: data.length,
    });
    expect(created).toBeUndefined();
    expect(requestsFor(key)).toMatchObject({ creates: 1, parts: 3, completes: 1, aborts: 1 });
    expect(sha256(await s3.readObject(bucket, key))).toBe(sha256(original));
    expect((await openUploadsAt(key)) ?? 0).toBe(0);
  });

  it('is refused by If-None-Match on the single PutObject of a short body of unknown length', async () => {
    const { s3, store } = live();
    if (!s3.conditionalWrites) return;
    const key = uniqueKey('taken-short.bin');
    const original = randomBytes(1000);
    await store.putObject({ bucket, key, body: Readable.from([original]) });
    const created = await store.createObject({
      bucket,
      key,
      // Small: the test proxy resets the connection when S3 answers 412 while a large
      // body is still arriving (S3 itself, reached directly, answers cleanly).
      body: Readable.from([randomBytes(64 * 1024)]),
    });
    expect(created).toBeUndefined();
    expect(requestsFor(key)).toMatchObject({ creates: 0, parts: 0 });
    expect(sha256(await s3.readObject(bucket, key))).toBe(sha256(original));
  });
});
