import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { createS3Client } from '../../../src/storage/s3-client.js';
import { S3ObjectStore } from '../../../src/storage/s3-object-store.js';
import { freePort } from '../../helpers/free-port.js';
import type { TestS3 } from '../../helpers/s3.js';
import { uniqueKey, useTestStore } from '../../helpers/store-harness.js';

let s3: TestS3;
let bucket: string;
let store: S3ObjectStore;

useTestStore((fixture) => {
  ({ s3, bucket, store } = fixture);
});

const key = uniqueKey;

describe('unreachable stores', () => {
  it('maps an endpoint where nothing listens to STORAGE_UNAVAILABLE, fast', async () => {
    const port = await freePort();
    const client = createS3Client({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: s3.credentials,
      maxAttempts: 1,
      connectionTimeoutMs: 1000,
      requestTimeoutMs: 1000,
    });
    const unreachable = new S3ObjectStore(client);
    try {
      const started = Date.now();
      await expect(
        unreachable.putObject({
          bucket: 'any-bucket',
          key: 'a/b',
          body: Readable.from([Buffer.from('x')]),
        }),
      ).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE', retryable: true });
      await expect(unreachable.headObject('any-bucket', 'a/b')).rejects.toMatchObject({
        code: 'STORAGE_UNAVAILABLE',
      });
      await expect(unreachable.deletePrefix('any-bucket', 'a/')).rejects.toMatchObject({
        code: 'STORAGE_UNAVAILABLE',
      });
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      client.destroy();
    }
  });

  it('maps a server that accepts but never answers to STORAGE_UNAVAILABLE (timeout)', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as AddressInfo;
    const client = createS3Client({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: s3.credentials,
      maxAttempts: 1,
      requestTimeoutMs: 300,
    });
    try {
      const error: unknown = await new S3ObjectStore(client)
        .headObject('any-bucket', 'a/b')
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'STORAGE_UNAVAILABLE', retryable: true });
      expect((error as AppError).cause).toMatchObject({ name: 'TimeoutError' });
    } finally {
      client.destroy();
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});

describe('rejections', () => {
  it('maps a missing bucket to STORAGE_REJECTED', async () => {
    const error: unknown = await store
      .putObject({
        bucket: `no-such-bucket-${Date.now()}`,
        key: 'a/b',
        body: Readable.from([Buffer.from('x')]),
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'STORAGE_REJECTED', retryable: false });
    expect((error as AppError).cause).toMatchObject({ name: 'NoSuchBucket' });
  });
});

describe('headObject', () => {
  it('gives the size of an object and undefined for a missing one', async () => {
    const target = key('head.txt');
    await store.putObject({ bucket, key: target, body: Readable.from([Buffer.from('12345')]) });
    expect(await store.headObject(bucket, target)).toBe(5);
    expect(await store.headObject(bucket, `${target}.missing`)).toBeUndefined();
  });
});
