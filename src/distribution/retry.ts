import { setTimeout as sleep } from 'node:timers/promises';
import { isAppError } from '../errors.js';

/** How often and how patiently a transient failure is tried again inside one delivery. */
export interface RetryPolicy {
  /** Total attempts, at least 1. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * Runs `fn`, trying again after a retryable `AppError` with exponential backoff and full
 * jitter. Permanent errors, and any error once the attempts are used up or the signal is
 * aborted, are thrown as they are.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  signal?: AbortSignal,
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const retryable = isAppError(error) && error.retryable;
      if (!retryable || attempt >= policy.attempts || signal?.aborted === true) throw error;
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.round(Math.random() * ceiling);
      onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, undefined, signal === undefined ? undefined : { signal });
    }
  }
}
