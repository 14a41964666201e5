import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ObjectStore } from '../distribution/ports.js';
import type { UrlSigner } from '../distribution/signed-urls.js';
import { createTargetResolver, type TargetResolver } from '../distribution/targets.js';
import { AppError, isAppError } from '../errors.js';
import { checkBucket, ensureBucket } from '../storage/bucket.js';
import { httpStatusOf } from '../storage/s3-errors.js';
import type { ObjectCopyInput } from '../distribution/copy-element.js';
import type { SourceStream, StoredObject } from '../distribution/ports.js';
import { OpenMultipartUploads } from '../storage/abort-multipart.js';
import { createS3Client } from '../storage/s3-client.js';
import { copyS3Object, openS3Object } from '../storage/s3-copy.js';
import { S3ObjectStore } from '../storage/s3-object-store.js';
import { cloudFrontUrlSigner, s3UrlSigner } from '../storage/url-signers.js';
import type { Closers } from './closers.js';
import { s3Settings } from './s3-settings.js';

/** The storage role: where objects go and how to tell that S3 answers. */
export interface Storage {
  readonly store: ObjectStore;
  readonly targets: TargetResolver;
  /** Checks that every configured bucket answers (readiness), within 3 s. */
  readonly checkBuckets: () => Promise<void>;
  /** Signs handed-out URLs: CloudFront when a key is configured, else S3; undefined: off. */
  readonly signer: UrlSigner | undefined;
  /** The S3 endpoint the client talks to (configured or embedded); undefined: AWS. */
  readonly endpoint: string | undefined;
  /** Server-side copy (see storage/s3-copy.ts). */
  readonly copyObject: (input: ObjectCopyInput) => Promise<StoredObject | undefined>;
  /** Reads an object as a source. */
  readonly openObject: (
    object: { readonly bucket: string; readonly key: string },
    signal?: AbortSignal,
  ) => Promise<SourceStream>;
}

/**
 * Builds the S3 client (and the embedded store when no endpoint is configured), resolves
 * the buckets, and creates them when asked to and this process runs the worker.
 */
export async function buildStorage(
  config: Config,
  logger: Logger,
  closers: Closers,
): Promise<Storage> {
  const settings = await s3Settings(config, logger, closers);
  const client = createS3Client(settings.client);
  const store = new S3ObjectStore(client, {
    partSizeBytes: config.s3.partSizeBytes,
    queueSize: config.s3.queueSize,
    conditionalWrites: config.s3.conditionalWrites,
  });
  // Runs after the worker stopped (closers run in reverse): uploads its handlers left
  // open are aborted before the client goes.
  const openCopies = new OpenMultipartUploads();
  closers.push(async () => {
    const aborted = (await store.abortOpenUploads()) + (await openCopies.abortAll(client));
    if (aborted > 0) logger.info({ aborted }, 'aborted multipart uploads left open at shutdown');
    client.destroy();
  });
  const targets = createTargetResolver(settings.orgTargets, settings.defaultTarget);
  const all = [...settings.orgTargets.values(), settings.defaultTarget];
  const buckets = [...new Set(all.flatMap((t) => (t ? [t.bucket] : [])))];
  const hinted = withSchemeHint(config.s3.endpointWithoutScheme);
  if (config.s3.createBuckets && config.runsWorker) {
    for (const bucket of buckets) {
      await ensureBucket(client, bucket, {
        publicRead: config.s3.publicRead,
        website: config.s3.website,
        abortIncompleteUploadsDays: config.s3.abortIncompleteUploadsDays,
        logger,
      }).catch(hinted);
    }
  }
  const { signing } = config;
  let signer: UrlSigner | undefined;
  if (signing.cloudFront !== undefined) signer = cloudFrontUrlSigner(signing.cloudFront);
  else if (signing.s3Presign) signer = s3UrlSigner(client);
  if (signing.cloudFront !== undefined && signing.s3Presign) {
    logger.info(
      'CloudFront signing is configured: published URLs are signed for CloudFront, not presigned for S3',
    );
  }
  return {
    store,
    targets,
    signer,
    endpoint: settings.client.endpoint,
    copyObject: (input) =>
      copyS3Object(client, input, {
        multipartThresholdBytes: config.s3.copyMultipartThresholdBytes,
        openUploads: openCopies,
      }),
    openObject: (object, signal) => openS3Object(client, object, signal),
    checkBuckets: async () => {
      const signal = AbortSignal.timeout(3000);
      for (const bucket of buckets) await checkBucket(client, bucket, signal).catch(hinted);
    },
  };
}

/**
 * Opencast's cfg may give the endpoint without a scheme, and https is assumed as Opencast's
 * SDK does. When the server then cannot be reached (a MinIO speaking plain HTTP fails the
 * TLS handshake), the error says which key to change and what to write.
 */
export function withSchemeHint(
  assumed: { readonly setting: string; readonly written: string } | undefined,
): (error: unknown) => never {
  return (error) => {
    const cause = isAppError(error) ? error.cause : error;
    if (assumed === undefined || !isAppError(error) || httpStatusOf(cause) !== undefined) {
      throw error;
    }
    const { setting, written } = assumed;
    throw new AppError(
      error.code,
      `${error.message}. ${setting} is "${written}", without a scheme, so https://${written} ` +
        `was used: if the server speaks plain HTTP (MinIO does by default), write ` +
        `http://${written} there (or set S3_ENDPOINT=http://${written}); for TLS, write ` +
        `https://${written}`,
      { cause: error },
    );
  };
}
