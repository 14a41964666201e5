/**
 * Bucket bootstrap at start-up (as Opencast's activation does) and the readiness check.
 */
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketWebsiteCommand,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { AppError } from '../errors.js';
import { assertBucketName } from './object-key.js';
import { callS3 } from './s3-call.js';
import { errorNameOf, httpStatusOf, isNotFound, toStorageError } from './s3-errors.js';

/** The logging ensureBucket needs (a pino logger fits). */
export interface BucketLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Options of {@link ensureBucket}. */
export interface EnsureBucketOptions {
  /** Give everyone read access to the objects of a bucket this call creates. */
  readonly publicRead: boolean;
  /** Give a bucket this call creates Opencast's website configuration (index.html/error.html). */
  readonly website?: boolean | undefined;
  /**
   * Days after which S3 removes an incomplete multipart upload of a bucket this call creates
   * (a lifecycle rule); 0 or unset: no rule.
   */
  readonly abortIncompleteUploadsDays?: number | undefined;
  readonly logger?: BucketLogger | undefined;
}

/** The ID of the lifecycle rule {@link ensureBucket} puts on buckets it creates. */
export const ABORT_INCOMPLETE_RULE_ID = 'abort-incomplete-multipart-uploads';

/** The policy Opencast puts on buckets it creates: anyone may GET any object. */
export function publicReadPolicy(bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PublicReadGetObject',
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucket}/*`,
      },
    ],
  });
}

/**
 * Makes sure `bucket` exists: HeadBucket, and on 404 CreateBucket (in the client's region)
 * plus, when `publicRead`, the public-read policy. A bucket that exists but cannot be
 * accessed fails with "Bucket <b> exists, but we can't access it: ..." like Opencast.
 * Resolves with whether this call created the bucket.
 */
export async function ensureBucket(
  client: S3Client,
  bucket: string,
  options: EnsureBucketOptions,
): Promise<{ created: boolean }> {
  assertBucketName(bucket);
  const { logger } = options;
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return { created: false };
  } catch (error) {
    if (!isNotFound(error)) throw inaccessible(bucket, 'HeadBucket', error);
  }
  const region = await client.config.region();
  try {
    await client.send(
      new CreateBucketCommand({
        Bucket: bucket,
        // us-east-1 is the default location and S3 refuses it as an explicit constraint.
        ...(region === 'us-east-1'
          ? {}
          : {
              CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint },
            }),
      }),
    );
    logger?.info({ bucket, region }, 'Created bucket');
  } catch (error) {
    // Another instance created it in the meantime: fine.
    if (errorNameOf(error) !== 'BucketAlreadyOwnedByYou')
      throw inaccessible(bucket, 'CreateBucket', error);
  }
  if (options.publicRead) await putPublicReadPolicy(client, bucket, logger);
  if (options.website === true) await putWebsite(client, bucket, logger);
  const days = options.abortIncompleteUploadsDays ?? 0;
  if (days > 0) await putAbortIncompleteRule(client, bucket, days, logger);
  return { created: true };
}

/**
 * Lets S3 remove multipart uploads left incomplete after `days` (a killed process cannot
 * abort its own). Never fails the start: a store without lifecycle support (s3rver answers
 * NotImplemented) or a denied request is logged, naming what is left to the operator.
 */
async function putAbortIncompleteRule(
  client: S3Client,
  bucket: string,
  days: number,
  logger: BucketLogger | undefined,
): Promise<void> {
  try {
    await client.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: {
          Rules: [
            {
              ID: ABORT_INCOMPLETE_RULE_ID,
              Status: 'Enabled',
              Filter: { Prefix: '' },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: days },
            },
          ],
        },
      }),
    );
    logger?.info({ bucket, days }, 'Lifecycle rule set: incomplete multipart uploads expire');
  } catch (error) {
    const unsupported = errorNameOf(error) === 'NotImplemented' || httpStatusOf(error) === 501;
    logger?.warn(
      { bucket, err: error, code: errorNameOf(error) },
      unsupported
        ? 'The S3 server does not support lifecycle rules: multipart uploads left incomplete by a killed process stay until removed by hand'
        : 'Could not set the lifecycle rule that removes incomplete multipart uploads: set one on the bucket by hand',
    );
  }
}

async function putPublicReadPolicy(
  client: S3Client,
  bucket: string,
  logger: BucketLogger | undefined,
): Promise<void> {
  try {
    await client.send(
      new PutBucketPolicyCommand({ Bucket: bucket, Policy: publicReadPolicy(bucket) }),
    );
    logger?.info({ bucket }, 'Bucket policy set: objects are publicly readable');
  } catch (error) {
    if (errorNameOf(error) === 'NotImplemented' || httpStatusOf(error) === 501) {
      logger?.warn(
        { bucket, err: error },
        'The S3 server does not support bucket policies; objects stay private',
      );
      return;
    }
    throw inaccessible(bucket, 'PutBucketPolicy', error);
  }
}

/** Opencast's static-website configuration of the buckets it creates (S3Impl 920-951). */
export const OPENCAST_WEBSITE = {
  IndexDocument: { Suffix: 'index.html' },
  ErrorDocument: { Key: 'error.html' },
} as const;

async function putWebsite(
  client: S3Client,
  bucket: string,
  logger: BucketLogger | undefined,
): Promise<void> {
  try {
    await client.send(
      new PutBucketWebsiteCommand({ Bucket: bucket, WebsiteConfiguration: OPENCAST_WEBSITE }),
    );
    logger?.info({ bucket }, 'Bucket website configuration set (index.html, error.html)');
  } catch (error) {
    if (errorNameOf(error) === 'NotImplemented' || httpStatusOf(error) === 501) {
      logger?.warn(
        { bucket, err: error },
        'The S3 server does not support website configuration; the bucket has none',
      );
      return;
    }
    throw inaccessible(bucket, 'PutBucketWebsite', error);
  }
}

function inaccessible(bucket: string, operation: string, error: unknown): AppError {
  const mapped = toStorageError(error, `${operation} s3://${bucket}`);
  // No HTTP answer at all: the server was never reached, so nothing is known of the bucket.
  if (httpStatusOf(error) === undefined) {
    return new AppError(
      mapped.code,
      `Cannot reach the S3 server to check bucket ${bucket}: ${mapped.message}`,
      { cause: error },
    );
  }
  return new AppError(
    mapped.code,
    `Bucket ${bucket} exists, but we can't access it: ${mapped.message}`,
    {
      cause: error,
    },
  );
}

/**
 * Checks that `bucket` exists and is accessible, for readiness probes. Throws
 * STORAGE_REJECTED when it does not exist or access is denied, STORAGE_UNAVAILABLE when the
 * store cannot be reached.
 */
export async function checkBucket(
  client: S3Client,
  bucket: string,
  signal?: AbortSignal,
): Promise<void> {
  assertBucketName(bucket);
  const operation = `HeadBucket s3://${bucket}`;
  try {
    await callS3(operation, signal, () =>
      client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal }),
    );
  } catch (error) {
    if (error instanceof AppError && isNotFound(error.cause)) {
      throw new AppError('STORAGE_REJECTED', `Bucket ${bucket} does not exist`, {
        cause: error.cause,
      });
    }
    throw error;
  }
}
