/**
 * Baseline for small elements: GET the source, PutObject its bytes, `count` times with
 * `concurrency` at once. Reports each element's latency (GET start to PutObject answer).
 */
import { performance } from 'node:perf_hooks';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { s3Child, type S3Target } from './baseline-s3.js';
import { childParams } from './child-protocol.js';

interface Params extends S3Target {
  readonly sourceUrl: string;
  readonly keyPrefix: string;
  readonly count: number;
  readonly concurrency: number;
}

const params = childParams() as Params;

async function copyOne(client: S3Client, key: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(params.sourceUrl);
  if (!res.ok) throw new Error(`source answered ${res.status}`);
  const body = Buffer.from(await res.arrayBuffer());
  await client.send(
    new PutObjectCommand({
      Bucket: params.bucket,
      Key: key,
      Body: body,
      ContentLength: body.length,
      ContentType: res.headers.get('content-type') ?? 'application/octet-stream',
    }),
  );
  return performance.now() - started;
}

await s3Child(
  params,
  // One warm-up copy: the service is warm too when its rounds start.
  async (client) => {
    await copyOne(client, `${params.keyPrefix}warm-up`);
  },
  async (client) => {
    const latenciesMs: number[] = [];
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < params.count) {
        const n = next++;
        latenciesMs.push(await copyOne(client, `${params.keyPrefix}${n}`));
      }
    };
    await Promise.all(Array.from({ length: params.concurrency }, lane));
    return { elements: params.count, latenciesMs };
  },
);
