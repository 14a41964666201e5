/**
 * Runs one S3 request on behalf of a caller: refuses to start once the caller's signal has
 * aborted and turns every failure into an AppError.
 */
import type { AppError } from '../errors.js';
import { abortedError, toStorageError } from './s3-errors.js';

/**
 * Calls `request` and maps its failure: an abort by `signal` gives {@link abortedError},
 * anything else {@link toStorageError}. `operation` names the request in messages.
 */
export async function callS3<T>(
  operation: string,
  signal: AbortSignal | undefined,
  request: () => Promise<T>,
): Promise<T> {
  if (signal?.aborted === true) throw abortedError(signal, operation);
  try {
    return await request();
  } catch (error) {
    throw mapFailure(error, operation, signal);
  }
}

/** Maps a failure of an operation that ran under `signal` (see {@link callS3}). */
export function mapFailure(
  error: unknown,
  operation: string,
  signal: AbortSignal | undefined,
): AppError {
  if (signal?.aborted === true) return abortedError(signal, operation);
  return toStorageError(error, operation);
}
