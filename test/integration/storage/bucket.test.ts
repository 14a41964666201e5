import {
  DeleteBucketCommand,
  GetBucketWebsiteCommand,
  HeadBucketCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBucket, ensureBucket } from '../../../src/storage/bucket.js';
import { createS3Client } from '../../../src/storage/s3-client.js';
import { startTestS3, uniqueBucketName, type TestS3 } from '../../helpers/s3.js';

let s3: TestS3;

beforeAll(async () => {
  s3 = await startTestS3();
});

afterAll(async () => {
  await s3.close();
});

interface Logged {
  readonly level: 'info' | 'warn';
  readonly obj: object;
  readonly msg: string;
}

function recordingLogger(): {
  logged: Logged[];
  logger: { info: (obj: object, msg: string) => void; warn: (obj: object, msg: string) => void };
} {
  const logged: Logged[] = [];
  return {
    logged,
    logger: {
      info: (obj, msg) => logged.push({ level: 'info', obj, msg }),
      warn: (obj, msg) => logged.push({ level: 'warn', obj, msg }),
    },
  };
}

/** Runs `test` with a fresh bucket name and deletes the bucket afterwards if it exists. */
async function withBucketName(test: (name: string) => Promise<void>): Promise<void> {
  const name = uniqueBucketName('ensure');
  try {
    await test(name);
  } finally {
    await s3.client.send(new DeleteBucketCommand({ Bucket: name })).catch(() => undefined);
  }
}

describe('ensureBucket', () => {
  it('creates a missing bucket', async () => {
    await withBucketName(async (name) => {
      const { logged, logger } = recordingLogger();
      await expect(ensureBucket(s3.client, name, { publicRead: false, logger })).resolves.toEqual({
        created: true,
      });
      await expect(s3.client.send(new HeadBucketCommand({ Bucket: name }))).resolves.toBeDefined();
      expect(logged).toContainEqual(
        expect.objectContaining({ level: 'info', msg: 'Created bucket' }),
      );
    });
  });

  it('is a no-op for an existing bucket', async () => {
    const name = await s3.createBucket();
    const { logged, logger } = recordingLogger();
    await expect(ensureBucket(s3.client, name, { publicRead: true, logger })).resolves.toEqual({
      created: false,
    });
    await expect(ensureBucket(s3.client, name, { publicRead: true, logger })).resolves.toEqual({
      created: false,
    });
    expect(logged).toEqual([]);
  });

  it('sets the public-read policy on a new bucket, or warns where policies are not supported', async () => {
    await withBucketName(async (name) => {
      const { logged, logger } = recordingLogger();
      await expect(ensureBucket(s3.client, name, { publicRead: true, logger })).resolves.toEqual({
        created: true,
      });
      const outcome = logged.find((entry) => /polic(y|ies)/i.test(entry.msg));
      if (s3.kind === 'embedded') {
        expect(outcome).toMatchObject({ level: 'warn' });
      } else {
        expect(outcome).toMatchObject({ level: 'info' });
      }
    });
  });

  it("gives a new bucket Opencast's website configuration, or warns where it is not supported", async () => {
    await withBucketName(async (name) => {
      const { logged, logger } = recordingLogger();
      await expect(
        ensureBucket(s3.client, name, { publicRead: false, website: true, logger }),
      ).resolves.toEqual({ created: true });
      const outcome = logged.find((entry) => /website/i.test(entry.msg));
      // MinIO answers NotImplemented; s3rver (embedded) keeps the configuration.
      if (s3.kind !== 'embedded' && outcome?.level === 'warn') return;
      expect(outcome).toMatchObject({ level: 'info' });
      const website = await s3.client.send(new GetBucketWebsiteCommand({ Bucket: name }));
      expect(website.IndexDocument?.Suffix).toBe('index.html');
      expect(website.ErrorDocument?.Key).toBe('error.html');
    });
  });

  it('leaves the website configuration of an existing bucket alone', async () => {
    const name = await s3.createBucket();
    const { logged, logger } = recordingLogger();
    await ensureBucket(s3.client, name, { publicRead: false, website: true, logger });
    expect(logged).toEqual([]);
    await expect(
      s3.client.send(new GetBucketWebsiteCommand({ Bucket: name })),
    ).rejects.toBeDefined();
  });

  it('reports a bucket it cannot access like Opencast does', async () => {
    const name = await s3.createBucket();
    const intruder = createS3Client({
      region: s3.region,
      endpoint: s3.endpoint,
      credentials: { accessKeyId: 'not-a-key', secretAccessKey: 'not-a-secret' },
      maxAttempts: 1,
    });
    try {
      const error: unknown = await ensureBucket(intruder, name, { publicRead: false }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ code: 'STORAGE_REJECTED' });
      expect((error as Error).message).toMatch(
        new RegExp(`^Bucket ${name} exists, but we can't access it: `),
      );
    } finally {
      intruder.destroy();
    }
  });

  it('refuses a malformed bucket name without any request', async () => {
    await expect(ensureBucket(s3.client, 'a/b', { publicRead: false })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});

describe('checkBucket', () => {
  it('passes for an existing bucket', async () => {
    const name = await s3.createBucket();
    await expect(checkBucket(s3.client, name)).resolves.toBeUndefined();
  });

  it('fails with STORAGE_REJECTED for a missing bucket', async () => {
    const name = uniqueBucketName('missing');
    await expect(checkBucket(s3.client, name)).rejects.toMatchObject({
      code: 'STORAGE_REJECTED',
      message: `Bucket ${name} does not exist`,
    });
  });

  it('fails with STORAGE_UNAVAILABLE when the store cannot be reached', async () => {
    const client = createS3Client({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: s3.credentials,
      maxAttempts: 1,
      connectionTimeoutMs: 500,
    });
    try {
      await expect(checkBucket(client, 'some-bucket')).rejects.toMatchObject({
        code: 'STORAGE_UNAVAILABLE',
      });
    } finally {
      client.destroy();
    }
  });

  it('honours an aborted signal', async () => {
    const name = await s3.createBucket();
    await expect(checkBucket(s3.client, name, AbortSignal.abort())).rejects.toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
      message: `HeadBucket s3://${name} aborted`,
    });
  });
});
