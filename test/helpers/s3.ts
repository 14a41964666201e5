/**
 * An S3 server for integration tests: `TEST_S3_ENDPOINT` when set, else MinIO in a container
 * when a Docker engine answers, else the embedded s3rver in a temporary directory. The
 * embedded one refuses `If-None-Match: *` writes to existing keys with 412 as AWS S3 and
 * MinIO do (src/storage/s3rver-conditional.ts), so tests and the bench run production's
 * path; `startTestS3({ conditionalWrites: false })` gives plain s3rver, which writes anyway,
 * for the fallback of stores without conditional writes.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { startEmbeddedS3 } from '../../src/storage/embedded-s3.js';
import { createS3Client } from '../../src/storage/s3-client.js';

/** Which server a {@link TestS3} talks to. */
export type TestS3Kind = 'external' | 'minio' | 'embedded';

/** A running test S3 server with a client and a few helpers. */
export interface TestS3 {
  readonly kind: TestS3Kind;
  /** Whether the server refuses `If-None-Match: *` writes to existing keys (412). */
  readonly conditionalWrites: boolean;
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly forcePathStyle: true;
  readonly client: S3Client;
  /** Creates a bucket (a unique lower-case name unless given) and returns its name. */
  createBucket(name?: string): Promise<string>;
  /** An object's content, or undefined when it does not exist. */
  readObject(bucket: string, key: string): Promise<Buffer | undefined>;
  /** Keys under `prefix` (up to 1000: s3rver cannot page further). */
  listKeys(bucket: string, prefix?: string): Promise<string[]>;
  /** Deletes the buckets it created and stops what it started. */
  close(): Promise<void>;
}

const MINIO_IMAGE = 'minio/minio:RELEASE.2024-12-13T22-19-12Z';

/** A unique bucket name: lower case, 3-63 characters. */
export function uniqueBucketName(prefix = 'test'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** Options of {@link startTestS3}. */
export interface TestS3Options {
  /**
   * Embedded s3rver only: refuse `If-None-Match: *` writes to existing keys (default true).
   * MinIO and AWS always do.
   */
  readonly conditionalWrites?: boolean;
}

/** Starts (or connects to) an S3 server; see the module comment for the order. */
export async function startTestS3(options: TestS3Options = {}): Promise<TestS3> {
  const endpoint = process.env.TEST_S3_ENDPOINT;
  if (endpoint !== undefined && endpoint !== '') {
    return build('external', endpoint, true, {
      region: process.env.TEST_S3_REGION ?? 'us-east-1',
      accessKeyId: process.env.TEST_S3_ACCESS_KEY_ID ?? 'minioadmin',
      secretAccessKey: process.env.TEST_S3_SECRET_ACCESS_KEY ?? 'minioadmin',
      stop: () => Promise.resolve(),
    });
  }
  if (await dockerAnswers()) return startMinio();
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const conditionalWrites = options.conditionalWrites ?? true;
  const server = await startEmbeddedS3({ directory, conditionalWrites });
  return build('embedded', server.endpoint, conditionalWrites, {
    region: 'us-east-1',
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    stop: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  });
}

/** Whether a Docker engine answers within 1.5 s (never hangs where none runs). */
function dockerAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 1500 }, (error) => {
      resolve(error === null);
    });
  });
}

async function startMinio(): Promise<TestS3> {
  // Loaded only here: testcontainers is heavy and unused without Docker.
  const { GenericContainer, Wait } = await import('testcontainers');
  const accessKeyId = 'minioadmin';
  const secretAccessKey = `secret-${randomBytes(8).toString('hex')}`;
  const container = await new GenericContainer(MINIO_IMAGE)
    .withEnvironment({ MINIO_ROOT_USER: accessKeyId, MINIO_ROOT_PASSWORD: secretAccessKey })
    .withCommand(['server', '/data'])
    .withExposedPorts(9000)
    .withWaitStrategy(Wait.forHttp('/minio/health/live', 9000))
    .start();
  const endpoint = `http://${container.getHost()}:${container.getMappedPort(9000)}`;
  return build('minio', endpoint, true, {
    region: 'us-east-1',
    accessKeyId,
    secretAccessKey,
    stop: async () => {
      await container.stop();
    },
  });
}

interface Connection {
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly stop: () => Promise<void>;
}

function build(
  kind: TestS3Kind,
  endpoint: string,
  conditionalWrites: boolean,
  connection: Connection,
): TestS3 {
  const { region, accessKeyId, secretAccessKey } = connection;
  const credentials = { accessKeyId, secretAccessKey };
  const client = createS3Client({ region, endpoint, credentials, forcePathStyle: true });
  const created = new Set<string>();

  const listKeys = async (bucket: string, prefix?: string): Promise<string[]> => {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    return (page.Contents ?? []).flatMap((entry) => (entry.Key === undefined ? [] : [entry.Key]));
  };

  return {
    kind,
    conditionalWrites,
    endpoint,
    region,
    credentials,
    forcePathStyle: true,
    client,
    async createBucket(name = uniqueBucketName()) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
      created.add(name);
      return name;
    },
    async readObject(bucket, key) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return object.Body === undefined
          ? Buffer.alloc(0)
          : Buffer.from(await object.Body.transformToByteArray());
      } catch (error) {
        if (error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound')) {
          return undefined;
        }
        throw error;
      }
    },
    listKeys,
    async close() {
      try {
        for (const bucket of created) {
          // A bucket must be empty before it can be deleted.
          for (let keys = await listKeys(bucket); keys.length > 0; keys = await listKeys(bucket)) {
            await Promise.all(
              keys.map((key) => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))),
            );
          }
          await client.send(new DeleteBucketCommand({ Bucket: bucket }));
        }
        created.clear();
      } finally {
        client.destroy();
        await connection.stop();
      }
    },
  };
}

/** The service's settings for publishing to `bucket` of `s3` (path-style public URLs). */
export function serviceS3Env(s3: TestS3, bucket: string): Record<string, string> {
  return {
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    S3_BUCKET: bucket,
    DISTRIBUTION_BASE_URL: `${s3.endpoint}/${bucket}/`,
  };
}
