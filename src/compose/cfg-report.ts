import type { Logger } from 'pino';
import type { Config } from '../config.js';

/**
 * Logs what Opencast's cfg file contributed: keys applied, keys the environment overrides,
 * keys unknown or without effect, and how values were translated.
 */
export function logOpencastCfg(config: Config, logger: Logger): void {
  const report = config.opencastCfg;
  if (report === undefined) return;
  const { file, applied, overridden, ignored, notes, unknown } = report;
  logger.info({ file, applied, overridden, ignored, notes }, 'Opencast cfg file read');
  if (unknown.length > 0) {
    logger.warn({ file, unknown }, 'Opencast cfg file: unknown keys are ignored');
  }
  // With signed URLs the bucket is meant to be private: no hint to open it.
  const signing = config.signing.s3Presign || config.signing.cloudFront !== undefined;
  if (!signing && (!config.s3.publicRead || !config.s3.website)) {
    // Java's service does both to every bucket it creates; here it is the admin's choice.
    logger.info(
      { file },
      'Opencast makes buckets it creates public-read with a website configuration; set S3_PUBLIC_READ=true and S3_BUCKET_WEBSITE=true for the same (or keep buckets private behind a CDN)',
    );
  }
}
