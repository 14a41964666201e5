import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ObjectStore } from '../distribution/ports.js';
import { createTargetResolver, type TargetResolver } from '../distribution/targets.js';
import { checkBucket, ensureBucket } from '../storage/bucket.js';
import type { ObjectCopyInput } from '../distribution/copy-element.js';
import type { SourceStream, StoredObject } from '../distribution/ports.js';
import { OpenMultipartUploads } from '../storage/abort-multipart.js';
import { createS3Client } from '../storage/s3-client.js';
import { copyS3Object, openS3Object } from '../storage/s3-copy.js';
import { S3ObjectStore } from '../storage/s3-object-store.js';
import type { Closers } from './closers.js';
import { s3Settings } from './s3-settings.js';

/** The storage role: where objects go and how to tell that S3 answers. */
export interface Storage {
  readonly store: ObjectStore;
  readonly targets: TargetResolver;
  /** Checks that every configured bucket answers (readiness), within 3 s. */
  readonly checkBuckets: () => Promise<void>;
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
  if (config.s3.createBuckets && config.runsWorker) {
    for (const bucket of buckets) {
      await ensureBucket(client, bucket, {
        publicRead: config.s3.publicRead,
        website: config.s3.website,
        abortIncompleteUploadsDays: config.s3.abortIncompleteUploadsDays,
        logger,
      });
    }
  }
  return {
    store,
    targets,
    endpoint: settings.client.endpoint,
    copyObject: (input) =>
      copyS3Object(client, input, {
        multipartThresholdBytes: config.s3.copyMultipartThresholdBytes,
        openUploads: openCopies,
      }),
    openObject: (object, signal) => openS3Object(client, object, signal),
    checkBuckets: async () => {
      const signal = AbortSignal.timeout(3000);
      for (const bucket of buckets) await checkBucket(client, bucket, signal);
    },
  };
}
