import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { DistributionTarget } from '../distribution/targets.js';
import { startEmbeddedS3 } from '../storage/embedded-s3.js';
import type { createS3Client } from '../storage/s3-client.js';
import type { Closers } from './closers.js';

/** Where the S3 client connects and which bucket each organization publishes to. */
export interface S3Settings {
  readonly client: Parameters<typeof createS3Client>[0];
  readonly defaultTarget: DistributionTarget | undefined;
  readonly orgTargets: Map<string, DistributionTarget>;
}

/** Reads the S3 settings; starts the embedded store first when no endpoint is configured. */
export async function s3Settings(
  config: Config,
  logger: Logger,
  closers: Closers,
): Promise<S3Settings> {
  const { s3 } = config;
  let endpoint = s3.endpoint;
  let credentials = s3.credentials;
  let baseUrl = s3.baseUrl;
  if (s3.embedded !== undefined) {
    const embedded = await startEmbeddedS3({
      directory: s3.embedded.directory,
      host: s3.embedded.host,
      port: s3.embedded.port,
    });
    closers.push(() => embedded.close());
    endpoint = embedded.endpoint;
    credentials = { accessKeyId: embedded.accessKeyId, secretAccessKey: embedded.secretAccessKey };
    baseUrl = `${embedded.endpoint}/{bucket}/`;
    logger.warn(
      { endpoint, directory: s3.embedded.directory },
      'No S3_ENDPOINT configured: serving the embedded S3-compatible store (for trying out; use AWS S3 or MinIO in production)',
    );
  }
  const mixed = fixedBaseUrlWarning(baseUrl, s3.bucket, s3.orgBuckets);
  if (mixed !== undefined) logger.warn({ baseUrl }, mixed);
  const target = (bucket: string): DistributionTarget => ({
    bucket,
    baseUrl: (baseUrl ?? '').replaceAll('{bucket}', bucket),
  });
  return {
    client: {
      region: s3.region,
      endpoint,
      forcePathStyle: s3.forcePathStyle,
      credentials,
      maxAttempts: s3.maxAttempts,
      connectionTimeoutMs: s3.connectionTimeoutMs,
      requestTimeoutMs: s3.requestTimeoutMs,
      maxSockets: s3.maxSockets,
    },
    defaultTarget: s3.bucket === undefined ? undefined : target(s3.bucket),
    orgTargets: new Map([...s3.orgBuckets].map(([org, bucket]) => [org, target(bucket)])),
  };
}

/**
 * Per-organization buckets publish to a base URL with `{bucket}` in it; with one fixed base
 * URL every organization's URLs point into the same bucket, and those of the others 404.
 * Undefined when nothing is wrong. Stored objects are right either way, so only a warning.
 */
export function fixedBaseUrlWarning(
  baseUrl: string | undefined,
  defaultBucket: string | undefined,
  orgBuckets: ReadonlyMap<string, string>,
): string | undefined {
  if (baseUrl === undefined || baseUrl.includes('{bucket}')) return undefined;
  const own = [...orgBuckets].filter(([, bucket]) => bucket !== defaultBucket);
  if (own.length === 0) return undefined;
  const examples = own
    .slice(0, 3)
    .map(([org, bucket]) => `${org} -> ${bucket}`)
    .join(', ');
  return (
    `S3_ORG_BUCKETS gives organizations their own buckets (${examples}), but ` +
    `DISTRIBUTION_BASE_URL (${baseUrl}) names no bucket: their published URLs point at the ` +
    'same place and will answer 404. Write {bucket} where the bucket name goes, e.g. ' +
    'http://minio:9000/{bucket}/ or https://{bucket}.s3.eu-west-1.amazonaws.com/'
  );
}
