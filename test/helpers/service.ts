import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { startService, type RunningService } from '../../src/service.js';
import { startTestBroker, type TestBroker } from './rabbit.js';
import { startTestS3, type TestS3 } from './s3.js';
import { startSourceServer, type SourceServer } from './source-server.js';

/** The whole service, started in-process against a real broker and a real S3 server. */
export interface TestStack {
  readonly service: RunningService;
  readonly url: string;
  readonly s3: TestS3;
  readonly bucket: string;
  /** Public base URL of distributed objects (the S3 server's path-style bucket URL). */
  readonly baseUrl: string;
  readonly sources: SourceServer;
  readonly amqpUrl: string;
  readonly prefix: string;
  /** Starts one more process-like service on the same broker topology, bucket and sources. */
  startAnother(env: Record<string, string>): Promise<RunningService>;
  close(): Promise<void>;
}

/**
 * Settings over the stack's own; a function when they depend on the S3 server and bucket
 * (e.g. a proxy in front of it).
 */
export type StackEnv =
  Record<string, string> | ((s3: TestS3, bucket: string) => Promise<Record<string, string>>);

/**
 * Starts broker topology, S3 bucket, source server and service with unique names. Pass
 * `broker` when the test needs it first (e.g. to put a proxy in front); the stack closes it.
 */
export async function startTestStack(env: StackEnv = {}, broker?: TestBroker): Promise<TestStack> {
  broker ??= await startTestBroker();
  const s3 = await startTestS3();
  const sources = await startSourceServer();
  const bucket = await s3.createBucket();
  const extra = typeof env === 'function' ? await env(s3, bucket) : env;
  const baseUrl = `${s3.endpoint}/${bucket}/`;
  const settings: Record<string, string> = {
    ROLE: 'all',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    AMQP_URL: broker.url,
    AMQP_PREFIX: broker.prefix,
    AMQP_DELIVERY_LIMIT: '3',
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    S3_BUCKET: bucket,
    DISTRIBUTION_BASE_URL: baseUrl,
    S3_MAX_ATTEMPTS: '1',
    SOURCE_ALLOWED_PREFIXES: sources.baseUrl,
    SOURCE_READ_TIMEOUT_MS: '5000',
    CHECK_AVAILABILITY_TRIES: '3',
    CHECK_AVAILABILITY_INTERVAL_MS: '50',
    RETRY_ATTEMPTS: '2',
    RETRY_BASE_DELAY_MS: '20',
    SYNC_TIMEOUT_MS: '20000',
    SHUTDOWN_GRACE_MS: '2000',
  };
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const others: RunningService[] = [];
  const service = await startService(loadConfig({ ...settings, ...extra }), logger);
  if (service.url === undefined) throw new Error('the test stack needs the API role');
  return {
    service,
    url: service.url,
    s3,
    bucket,
    baseUrl,
    sources,
    amqpUrl: broker.url,
    prefix: broker.prefix,
    startAnother: async (extra) => {
      const another = await startService(loadConfig({ ...settings, ...extra }), logger);
      others.push(another);
      return another;
    },
    close: async () => {
      for (const other of others) await other.close();
      await service.close();
      await sources.close();
      await s3.close();
      await broker.close();
    },
  };
}
