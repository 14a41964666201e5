/**
 * copyS3Object against a real S3 server: CopyObject with new metadata and a conditional
 * write, and UploadPartCopy in parts (not on s3rver, which answers NotImplemented to it).
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { copyS3Object } from '../../../src/storage/s3-copy.js';
import { OpenMultipartUploads } from '../../../src/storage/abort-multipart.js';
import type { TestS3 } from '../../helpers/s3.js';
import { uniqueKey, useTestStore } from '../../helpers/store-harness.js';

const MiB = 1024 * 1024;
const metadata = { 'ocs3-run': 'run-1', 'ocs3-job': '42' };

let s3: TestS3;
let bucket: string;

useTestStore((fixture) => {
  ({ s3, bucket } = fixture);
});

async function source(size: number): Promise<{ key: string; body: Buffer }> {
  const key = uniqueKey('copy-src');
  const body = randomBytes(size);
  await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return { key, body };
}

describe('copyS3Object', () => {
  it('copies with CopyObject, replacing the metadata, and answers size and ETag', async () => {
    const { key, body } = await source(1000);
    const target = uniqueKey('copy-dst');
    const copied = await copyS3Object(
      s3.client,
      {
        source: { bucket, key },
        bucket,
        key: target,
        metadata,
        contentType: 'video/mp4',
        ifAbsent: true,
      },
      { multipartThresholdBytes: 5 * 1024 * MiB },
    );
    expect(copied).toMatchObject({ size: 1000, etag: expect.stringMatching(/./) as unknown });
    expect((await s3.readObject(bucket, target))?.equals(body)).toBe(true);
  });

  it('refuses a missing source with SOURCE_NOT_FOUND', async () => {
    await expect(
      copyS3Object(
        s3.client,
        {
          source: { bucket, key: uniqueKey('missing') },
          bucket,
          key: uniqueKey('copy-dst'),
          metadata,
          ifAbsent: false,
        },
        { multipartThresholdBytes: 5 * 1024 * MiB },
      ),
    ).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
  });

  it('copies in parts above the threshold (not on s3rver: no UploadPartCopy)', async (context) => {
    if (s3.kind === 'embedded') context.skip();
    const { key, body } = await source(12 * MiB + 3);
    const target = uniqueKey('copy-parts');
    const openUploads = new OpenMultipartUploads();
    const copied = await copyS3Object(
      s3.client,
      { source: { bucket, key }, bucket, key: target, metadata, ifAbsent: true },
      { multipartThresholdBytes: 5 * MiB, openUploads },
    );
    expect(copied?.size).toBe(12 * MiB + 3);
    expect(openUploads.size).toBe(0);
    expect((await s3.readObject(bucket, target))?.equals(body)).toBe(true);
  });
});
