import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createS3Client } from '../../../src/storage/s3-client.js';
import { S3ObjectStore } from '../../../src/storage/s3-object-store.js';
import type { TestS3 } from '../../helpers/s3.js';
import { uniqueKey, useTestStore } from '../../helpers/store-harness.js';

let s3: TestS3;
let bucket: string;
let store: S3ObjectStore;

useTestStore((fixture) => {
  ({ s3, bucket, store } = fixture);
});

const key = uniqueKey;

describe('deletePrefix', () => {
  async function putAll(keys: readonly string[]): Promise<void> {
    for (const name of keys) {
      await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: name, Body: name }));
    }
  }

  it('deletes only the folder, not a sibling that shares its name prefix, and is idempotent', async () => {
    const root = key('root');
    await putAll([
      `${root}/a/b/1.mp4`,
      `${root}/a/b/sub/2.vtt`,
      `${root}/a/bc/3.mp4`,
      `${root}/a/b.mp4`,
    ]);
    expect(await store.deletePrefix(bucket, `${root}/a/b/`)).toBe(2);
    expect((await s3.listKeys(bucket, `${root}/`)).sort()).toEqual([
      `${root}/a/b.mp4`,
      `${root}/a/bc/3.mp4`,
    ]);
    expect(await store.deletePrefix(bucket, `${root}/a/b/`)).toBe(0);
    expect(await s3.listKeys(bucket, `${root}/`)).toHaveLength(2);
  });

  it.each(['', 'a/b', 'org/channel'])(
    'refuses the prefix %j before any request',
    async (prefix) => {
      await putAll([`${prefix}x`, 'a/b/c']);
      await expect(store.deletePrefix(bucket, prefix)).rejects.toMatchObject({
        code: 'INVALID_KEY',
      });
      expect(await s3.readObject(bucket, 'a/b/c')).toEqual(Buffer.from('a/b/c'));
    },
  );

  it('pages through more than 1000 objects (not on s3rver: no continuation tokens)', async (context) => {
    if (s3.kind === 'embedded') context.skip();
    const root = key('many');
    const names = Array.from({ length: 1105 }, (_, index) => `${root}/f/${index}`);
    for (let start = 0; start < names.length; start += 50)
      await Promise.all(names.slice(start, start + 50).map((name) => putAll([name])));
    expect(await store.deletePrefix(bucket, `${root}/f/`)).toBe(1105);
    expect(await s3.listKeys(bucket, `${root}/`)).toEqual([]);
  });
});

describe('deletePrefix through a proxy', () => {
  interface Seen {
    readonly headers: Record<string, string | string[] | undefined>;
    readonly body: Buffer;
  }

  /** A reverse proxy to the test S3 that records (or refuses with 501) DeleteObjects. */
  async function proxy(
    refuseBatchDelete: boolean,
  ): Promise<{ endpoint: string; seen: Seen[]; server: Server }> {
    const target = new URL(s3.endpoint);
    const seen: Seen[] = [];
    const server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const body = Buffer.concat(chunks);
        const isBatchDelete =
          incoming.method === 'POST' && /[?&]delete(=|&|$)/.test(incoming.url ?? '');
        if (isBatchDelete) seen.push({ headers: incoming.headers, body });
        if (isBatchDelete && refuseBatchDelete) {
          outgoing.writeHead(501, { 'content-type': 'application/xml' });
          outgoing.end(
            '<?xml version="1.0"?><Error><Code>NotImplemented</Code><Message>no</Message></Error>',
          );
          return;
        }
        const forwarded = httpRequest(
          {
            host: target.hostname,
            port: target.port,
            method: incoming.method,
            path: incoming.url,
            headers: incoming.headers,
          },
          (response) => {
            outgoing.writeHead(response.statusCode ?? 502, response.headers);
            response.pipe(outgoing);
          },
        );
        forwarded.on('error', () => outgoing.destroy());
        forwarded.end(body);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    return { endpoint: `http://127.0.0.1:${port}`, seen, server };
  }

  async function withProxy(
    refuse: boolean,
    test: (proxied: S3ObjectStore, seen: Seen[]) => Promise<void>,
  ): Promise<void> {
    const { endpoint, seen, server } = await proxy(refuse);
    // Default retries: s3rver answers 500 now and then to concurrent deletes in one folder
    // (a race in its directory clean-up) and succeeds when asked again.
    const client = createS3Client({ region: s3.region, endpoint, credentials: s3.credentials });
    try {
      await test(new S3ObjectStore(client), seen);
    } finally {
      client.destroy();
      server.closeAllConnections();
      server.close();
    }
  }

  it('sends DeleteObjects with Content-MD5 instead of a CRC32 checksum', async (context) => {
    if (!s3.endpoint.startsWith('http:')) context.skip();
    await withProxy(false, async (proxied, seen) => {
      const root = key('md5');
      await proxied.putObject({
        bucket,
        key: `${root}/x/1`,
        body: Readable.from([Buffer.from('1')]),
      });
      expect(await proxied.deletePrefix(bucket, `${root}/x/`)).toBe(1);
      expect(seen).toHaveLength(1);
      const [request] = seen;
      expect(request!.headers['content-md5']).toBe(
        createHash('md5').update(request!.body).digest('base64'),
      );
      expect(
        Object.keys(request!.headers).filter((name) => name.startsWith('x-amz-checksum-')),
      ).toEqual([]);
    });
  });

  it('falls back to single deletes when DeleteObjects is refused', async (context) => {
    if (!s3.endpoint.startsWith('http:')) context.skip();
    await withProxy(true, async (proxied, seen) => {
      const root = key('fallback');
      for (const name of ['1', '2', '3']) {
        await proxied.putObject({
          bucket,
          key: `${root}/x/${name}`,
          body: Readable.from([Buffer.from(name)]),
        });
      }
      await proxied.putObject({
        bucket,
        key: `${root}/xy`,
        body: Readable.from([Buffer.from('keep')]),
      });
      expect(await proxied.deletePrefix(bucket, `${root}/x/`)).toBe(3);
      expect(await s3.listKeys(bucket, `${root}/`)).toEqual([`${root}/xy`]);
      // The refusal is remembered: the next call goes straight to single deletes.
      await proxied.putObject({
        bucket,
        key: `${root}/x/4`,
        body: Readable.from([Buffer.from('4')]),
      });
      expect(await proxied.deletePrefix(bucket, `${root}/x/`)).toBe(1);
      expect(seen).toHaveLength(1);
    });
  });
});
