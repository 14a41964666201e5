/**
 * Maps AWS SDK and network failures to the service's error catalogue: retryable failures
 * become STORAGE_UNAVAILABLE, everything the store refused for good STORAGE_REJECTED.
 */
import { AppError, isAppError } from '../errors.js';

/** Error names S3 (or a compatible server) uses for conditions that pass on their own. */
const TRANSIENT_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequests',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'OperationAborted',
  // 409 from a conditional write racing another one on the same key: S3 says try again.
  'ConditionalRequestConflict',
  'ExpiredToken',
  'CredentialsProviderError',
  'TimeoutError',
  'AbortError',
]);

/** Node socket and DNS error codes: the store could not be reached (this time). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

/** The parts of an SDK or Node error the mapping looks at. */
interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly $retryable?: unknown;
}

function shapeOf(error: unknown): ErrorShape {
  return typeof error === 'object' && error !== null ? error : {};
}

/** HTTP status of the response that failed, if the error came from one. */
export function httpStatusOf(error: unknown): number | undefined {
  const status = shapeOf(error).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The S3 error code (`NoSuchBucket`, `SlowDown`, ...) or the JavaScript error name. */
export function errorNameOf(error: unknown): string | undefined {
  const name = shapeOf(error).name;
  return typeof name === 'string' ? name : undefined;
}

/** Whether an error means "no such object" (or no such bucket: HEAD cannot tell them apart). */
export function isNotFound(error: unknown): boolean {
  const name = errorNameOf(error);
  return (
    httpStatusOf(error) === 404 ||
    name === 'NotFound' ||
    name === 'NoSuchKey' ||
    name === 'NoSuchBucket'
  );
}

/** Whether a failure may pass if the operation is tried again later. */
export function isTransientStorageError(error: unknown): boolean {
  const shape = shapeOf(error);
  const name = errorNameOf(error);
  if (name !== undefined && TRANSIENT_NAMES.has(name)) return true;
  if (shape.$retryable !== undefined && shape.$retryable !== null) return true;
  const status = httpStatusOf(error);
  if (status !== undefined) return status >= 500 || status === 408 || status === 429;
  if (typeof shape.code === 'string' && NETWORK_CODES.has(shape.code)) return true;
  // No HTTP response and no known code: a broken connection or an unreadable response.
  return !(error instanceof TypeError || error instanceof RangeError);
}

/**
 * The catalogue code for an S3 error code reported without an HTTP failure, such as one
 * entry of a DeleteObjects result.
 */
export function storageCodeFor(
  s3Code: string | undefined,
): 'STORAGE_UNAVAILABLE' | 'STORAGE_REJECTED' {
  return s3Code !== undefined && TRANSIENT_NAMES.has(s3Code)
    ? 'STORAGE_UNAVAILABLE'
    : 'STORAGE_REJECTED';
}

/**
 * Turns any failure of an S3 operation into an {@link AppError}. AppErrors pass through
 * unchanged (a source stream that failed keeps its SOURCE_* code). `operation` names what
 * failed, for example `PutObject s3://bucket/key`.
 */
export function toStorageError(error: unknown, operation: string): AppError {
  if (isAppError(error)) return error;
  const shape = shapeOf(error);
  const name = errorNameOf(error) ?? 'Error';
  const detail = typeof shape.message === 'string' && shape.message !== '' ? shape.message : name;
  const status = httpStatusOf(error);
  const where = status === undefined ? name : `${name} (HTTP ${status})`;
  const message = `${operation} failed: ${where}: ${detail}`;
  if (error instanceof TypeError || error instanceof RangeError) {
    return new AppError('INTERNAL', message, { cause: error });
  }
  const code = isTransientStorageError(error) ? 'STORAGE_UNAVAILABLE' : 'STORAGE_REJECTED';
  return new AppError(code, message, { cause: error });
}

/**
 * The error to raise when the caller's signal aborted an operation: the signal's reason
 * when it is an AppError (a shutdown or deadline says why), else a retryable
 * STORAGE_UNAVAILABLE, because nothing is wrong with the object itself.
 */
export function abortedError(signal: AbortSignal, operation: string): AppError {
  const reason: unknown = signal.reason;
  if (isAppError(reason)) return reason;
  return new AppError('STORAGE_UNAVAILABLE', `${operation} aborted`, { cause: reason });
}
