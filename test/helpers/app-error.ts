import { AppError, type ErrorCode } from '../../src/errors.js';

/** The AppError `fn` throws; fails when it throws something else or nothing. */
export function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

/**
 * The code of the AppError `fn` throws, `undefined` when it throws nothing, and
 * `'not an AppError'` when it throws anything else.
 */
export function codeOf(fn: () => unknown): ErrorCode | 'not an AppError' | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
  return undefined;
}

/** The AppError `promise` rejects with; fails when it rejects with something else or resolves. */
export async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}
