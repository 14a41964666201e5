import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { ByteBudget } from '../distribution/byte-budget.js';
import type { DistributionDeps } from '../distribution/distribute.js';
import { createAvailabilityChecker } from '../sources/availability.js';
import { createS3SourceResolver } from '../sources/s3-source.js';
import { withS3Sources } from '../sources/s3-source-fetcher.js';
import { createSourceFetcher, type ClusterSourceFetcher } from '../sources/source-fetcher.js';
import type { Storage } from './storage.js';

/** The use cases' dependencies, with a source fetcher that can follow the cluster's hosts. */
export type BuiltDistributionDeps = DistributionDeps & { readonly sources: ClusterSourceFetcher };

/** RabbitMQ's default consumer_timeout: an unacked delivery older than this is redelivered. */
const CONSUMER_TIMEOUT_MS = 30 * 60_000;
/** Room after the deadline for the rollback (30 s), the failure event and the reply (30 s). */
const EPILOGUE_MS = 2 * 60_000;

/** The use cases' dependencies: storage, sources, availability checks, retry policy. */
export function buildDistributionDeps(
  config: Config,
  storage: Storage,
  logger: Logger,
): BuiltDistributionDeps {
  const { sources, opencast } = config;
  // In Opencast mode the nodes' /files/ and /assets/ are allowed by default, with the
  // system account's credentials; the admin node is known before the first host list.
  const cluster = opencast?.clusterSources === true ? opencast : undefined;
  if (
    cluster === undefined &&
    sources.allowedUrlPrefixes.length === 0 &&
    sources.sharedStorage.length === 0 &&
    sources.fileRoots.length === 0 &&
    sources.s3Buckets.length === 0
  ) {
    logger.warn(
      'No source is allowed (SOURCE_ALLOWED_PREFIXES, SOURCE_SHARED_STORAGE, SOURCE_FILE_ROOTS, SOURCE_S3_BUCKETS): every distribute will be refused',
    );
  }
  if (config.commandDeadlineMs > CONSUMER_TIMEOUT_MS - EPILOGUE_MS) {
    logger.warn(
      { commandDeadlineMs: config.commandDeadlineMs },
      "COMMAND_DEADLINE_MS leaves less than 2 minutes before RabbitMQ's default consumer_timeout (30 min): raise consumer_timeout on the broker, or a long command is redelivered while it runs",
    );
  }
  const fetcher = createSourceFetcher(sources, {
    clusterAccount:
      cluster === undefined ? undefined : { username: cluster.user, password: cluster.password },
    clusterHosts: cluster === undefined ? undefined : [cluster.url],
    logger,
  });
  // `s3://` and the allowed buckets' URLs are copied inside S3; always wrapped, so that an
  // `s3://` source is refused with a reason that names SOURCE_S3_BUCKETS.
  const resolver = createS3SourceResolver(sources.s3Buckets, storage.endpoint);
  const s3Sources = withS3Sources(fetcher, resolver, storage.openObject);
  if (sources.s3Buckets.length > 0) {
    logger.info({ s3Buckets: sources.s3Buckets }, 'sources: S3 objects copied inside S3');
  }
  return {
    store: storage.store,
    sources: s3Sources,
    copies: { sourceObject: (url) => s3Sources.s3Object(url), copy: storage.copyObject },
    availability: createAvailabilityChecker(config.availability),
    targets: storage.targets,
    retry: config.retry,
    xmlLimits: config.xmlLimits,
    commandDeadlineMs: config.commandDeadlineMs,
    signer: storage.signer,
    budget: new ByteBudget(config.amqp.memoryBudgetBytes),
    logger,
  };
}
