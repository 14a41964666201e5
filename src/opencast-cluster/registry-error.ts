/**
 * Errors of calls to Opencast's admin node, classified for callers that retry durable
 * updates with backoff: network failures, timeouts and 5xx may pass; 4xx will not.
 */
import { AppError, type ErrorCode } from '../errors.js';

/** A failed call to Opencast's service registry; `status` is the HTTP status if there was one. */
export class RegistryError extends AppError {
  override readonly name = 'RegistryError';
  readonly status: number | undefined;

  constructor(code: ErrorCode, message: string, options?: { status?: number; cause?: unknown }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
  }
}

/** The error for an answer that is not the expected one: 5xx retryable, anything else not. */
export function statusError(what: string, status: number): RegistryError {
  const code = status >= 500 ? 'REGISTRY_UNAVAILABLE' : 'REGISTRY_REJECTED';
  return new RegistryError(code, `${what} answered HTTP ${status}`, { status });
}

/** The error for a call that got no answer: a network failure or a timeout. */
export function transportError(what: string, cause: unknown): RegistryError {
  const timedOut = cause instanceof Error && cause.name === 'TimeoutError';
  const reason = timedOut ? 'timed out' : 'failed without an answer';
  return new RegistryError('REGISTRY_UNAVAILABLE', `${what} ${reason}`, { cause });
}
