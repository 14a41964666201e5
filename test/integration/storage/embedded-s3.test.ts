import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkBucket, ensureBucket } from '../../../src/storage/bucket.js';
import { startEmbeddedS3 } from '../../../src/storage/embedded-s3.js';
import { createS3Client } from '../../../src/storage/s3-client.js';
import { S3ObjectStore } from '../../../src/storage/s3-object-store.js';

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'embedded-s3-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('startEmbeddedS3', () => {
  it('listens on a free port and serves the store', async () => {
    const server = await startEmbeddedS3({ directory });
    const client = createS3Client({
      region: 'us-east-1',
      endpoint: server.endpoint,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
    try {
      expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.endpoint).not.toMatch(/:0$/);
      await ensureBucket(client, 'media-bucket', { publicRead: false });
      await expect(checkBucket(client, 'media-bucket')).resolves.toBeUndefined();
      const store = new S3ObjectStore(client);
      await store.putObject({
        bucket: 'media-bucket',
        key: 'a/b.txt',
        body: Readable.from([Buffer.from('hi')]),
      });
      expect(await store.headObject('media-bucket', 'a/b.txt')).toBe(2);
    } finally {
      client.destroy();
      await server.close();
    }
  });

  it('gives two servers two different ports', async () => {
    const first = await startEmbeddedS3({ directory: join(directory, 'one') });
    const second = await startEmbeddedS3({ directory: join(directory, 'two') });
    try {
      expect(first.endpoint).not.toBe(second.endpoint);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('closes idempotently, even with a keep-alive client connected, and stops serving', async () => {
    const server = await startEmbeddedS3({ directory });
    const client = createS3Client({
      region: 'us-east-1',
      endpoint: server.endpoint,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
      maxAttempts: 1,
    });
    try {
      await ensureBucket(client, 'closing-bucket', { publicRead: false });
      await checkBucket(client, 'closing-bucket');
      await Promise.all([server.close(), server.close()]);
      await server.close();
      await expect(checkBucket(client, 'closing-bucket')).rejects.toMatchObject({
        code: 'STORAGE_UNAVAILABLE',
      });
    } finally {
      client.destroy();
    }
  });

  it('fails with STORAGE_UNAVAILABLE when the port is taken', async () => {
    const first = await startEmbeddedS3({ directory });
    const port = Number(new URL(first.endpoint).port);
    try {
      await expect(startEmbeddedS3({ directory, port })).rejects.toMatchObject({
        code: 'STORAGE_UNAVAILABLE',
      });
    } finally {
      await first.close();
    }
  });
});
