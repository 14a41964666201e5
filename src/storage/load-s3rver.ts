/**
 * Loads s3rver on first use. It is a devDependency: a clone (`npm ci`) has it for trying the
 * service out, the production image (`npm ci --omit=dev`) does not, and no process pays for
 * it in memory unless it runs the embedded store.
 */
import type S3rver from 's3rver';
import { AppError } from '../errors.js';

/** The s3rver class. */
export type S3rverClass = typeof S3rver;

/**
 * Imports s3rver. Fails with a non-retryable STORAGE_REJECTED that says what to set when the
 * package is not installed. `load` is the import itself, replaceable to name another package.
 */
export async function loadS3rver(
  load: () => Promise<{ readonly default: S3rverClass }> = () => import('s3rver'),
): Promise<S3rverClass> {
  try {
    return (await load()).default;
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
    throw new AppError(
      'STORAGE_REJECTED',
      'The embedded S3 store (s3rver) is not installed: set S3_ENDPOINT (on AWS itself, DISTRIBUTION_BASE_URL is enough); the embedded store is for trying out and is not in the production image',
      { cause: error },
    );
  }
}

function isModuleNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ERR_MODULE_NOT_FOUND';
}
