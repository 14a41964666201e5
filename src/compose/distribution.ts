import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { DistributionDeps } from '../distribution/distribute.js';
import { createAvailabilityChecker } from '../sources/availability.js';
import { createSourceFetcher } from '../sources/source-fetcher.js';
import type { Storage } from './storage.js';

/** The use cases' dependencies: storage, sources, availability checks, retry policy. */
export function buildDistributionDeps(
  config: Config,
  storage: Storage,
  logger: Logger,
): DistributionDeps {
  const { sources } = config;
  if (
    sources.allowedUrlPrefixes.length === 0 &&
    sources.sharedStorage.length === 0 &&
    sources.fileRoots.length === 0
  ) {
    logger.warn(
      'No source is allowed (SOURCE_ALLOWED_PREFIXES, SOURCE_SHARED_STORAGE, SOURCE_FILE_ROOTS): every distribute will be refused',
    );
  }
  return {
    store: storage.store,
    sources: createSourceFetcher(sources),
    availability: createAvailabilityChecker(config.availability),
    targets: storage.targets,
    retry: config.retry,
    xmlLimits: config.xmlLimits,
    logger,
  };
}
