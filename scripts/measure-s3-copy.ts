/**
 * Issue 9, server-side copy: how long a `distributesync` of one SIZE_MB track takes when its
 * source is an object of the store (`s3://`, copied inside S3) against the same bytes served
 * over HTTP (downloaded by the worker and uploaded). The whole stack runs as in the
 * integration tests (service, RabbitMQ, s3rver or TEST_S3_ENDPOINT, source server); the two
 * kinds alternate round by round (copy, download, download, copy, ...) so machine load hits
 * both alike. Prints a Markdown table and the ratio copy/download (median, min, max).
 *
 *   npx tsx scripts/measure-s3-copy.ts
 *   ROUNDS=7 SIZE_MB=256 npx tsx scripts/measure-s3-copy.ts
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { postForm } from '../test/helpers/http.js';
import { uniqueBucketName } from '../test/helpers/s3.js';
import { startTestStack } from '../test/helpers/service.js';

type Kind = 'copy' | 'download';
const rounds = Number(process.env.ROUNDS ?? 5);
const sizeMb = Number(process.env.SIZE_MB ?? 64);
const sourceBucket = uniqueBucketName('src');
const stack = await startTestStack({
  SOURCE_S3_BUCKETS: sourceBucket,
  SYNC_TIMEOUT_MS: '600000',
  SOURCE_READ_TIMEOUT_MS: '60000',
});

async function distribute(kind: Kind, round: number): Promise<number> {
  const url =
    kind === 'copy' ? `s3://${sourceBucket}/video.mp4` : `${stack.sources.baseUrl}video.mp4`;
  const mediapackage =
    `<mediapackage xmlns="http://mediapackage.opencastproject.org" id="mp-${kind}-${round}">` +
    `<media><track id="t1" type="presenter/delivery"><mimetype>video/mp4</mimetype>` +
    `<url>${url}</url></track></media></mediapackage>`;
  const started = performance.now();
  const res = await postForm(`${stack.url}/distribution/s3/distributesync`, {
    channelId: 'measure',
    mediapackage,
    elementId: '["t1"]',
    checkAvailability: 'false',
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${kind} answered ${res.status}: ${body}`);
  return performance.now() - started;
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  return `median ${median.toFixed(3)}, min ${(sorted[0] ?? NaN).toFixed(3)}, max ${(sorted.at(-1) ?? NaN).toFixed(3)}`;
}

const lines: string[] = [];
const ratios: number[] = [];
try {
  await stack.s3.createBucket(sourceBucket);
  const video = randomBytes(sizeMb * 1024 * 1024);
  await stack.s3.client.send(
    new PutObjectCommand({ Bucket: sourceBucket, Key: 'video.mp4', Body: video }),
  );
  stack.sources.set('video.mp4', video);
  await distribute('copy', -1);
  await distribute('download', -1);
  for (let round = 0; round < rounds; round++) {
    const order: Kind[] = round % 2 === 0 ? ['copy', 'download'] : ['download', 'copy'];
    const ms: Partial<Record<Kind, number>> = {};
    for (const kind of order) ms[kind] = await distribute(kind, round);
    const ratio = (ms.copy ?? NaN) / (ms.download ?? NaN);
    ratios.push(ratio);
    lines.push(
      `| ${round + 1} | ${(ms.copy ?? NaN).toFixed(0)} | ${(ms.download ?? NaN).toFixed(0)} | ${ratio.toFixed(3)} |`,
    );
    process.stderr.write(`${lines.at(-1) ?? ''}\n`);
  }
} finally {
  await stack.close();
}
process.stdout.write(
  [
    `Command: ROUNDS=${rounds} SIZE_MB=${sizeMb} npx tsx scripts/measure-s3-copy.ts (S3: ${stack.s3.kind})`,
    '',
    '| round | copy ms | download-upload ms | copy/download |',
    '|---|---|---|---|',
    ...lines,
    '',
    `copy/download: ${summary(ratios)}`,
    '',
  ].join('\n'),
);
