/**
 * Baseline for small elements: GET the source, PutObject its bytes, `count` times with
 * `concurrency` at once. Reports each element's latency (GET start to PutObject answer).
 */
import { performance } from 'node:perf_hooks';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { baselineClient, type S3Target } from './baseline-s3.js';
import { childParams, runChild } from './child-protocol.js';

interface Params extends S3Target {
  readonly sourceUrl: string;
  readonly keyPrefix: string;
  readonly count: number;
  readonly concurrency: number;
}

const params = childParams() as Params;
const client = baselineClient(params);

async function copyOne(key: string): Promise<number> {
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

await runChild(
  // One warm-up copy: the service is warm too when its rounds start.
  async () => {
    await copyOne(`${params.keyPrefix}warm-up`);
  },
  async () => {
    const latenciesMs: number[] = [];
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < params.count) {
        const n = next++;
        latenciesMs.push(await copyOne(`${params.keyPrefix}${n}`));
      }
    };
    await Promise.all(Array.from({ length: params.concurrency }, lane));
    return { elements: params.count, latenciesMs };
  },
  () => {
    client.destroy();
    return Promise.resolve();
  },
);
