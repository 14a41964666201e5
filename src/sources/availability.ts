/**
 * The AvailabilityChecker port: Opencast's checkAvailability. HEADs a distributed URL
 * until it answers 200. This talks to the distribution base (CDN or S3), not to sources,
 * so there is no allow-list here.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AvailabilityChecker } from '../distribution/ports.js';
import { AppError } from '../errors.js';

/** Options of {@link createAvailabilityChecker}. */
export interface AvailabilityOptions {
  /** How many HEAD requests at most (Opencast: 10). */
  readonly tries: number;
  /** Pause between two tries (Opencast: 30 s). */
  readonly intervalMs: number;
  /** Time limit of one HEAD request. */
  readonly timeoutMs: number;
  /** Replaces the global fetch, for tests. */
  readonly fetchImpl?: typeof fetch | undefined;
}

function positiveInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min || value > 2 ** 31 - 1) {
    throw new AppError('INVALID_INPUT', `availability.${name} must be an integer >= ${min}`);
  }
}

async function answers200(
  fetchImpl: typeof fetch,
  url: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetchImpl(url, {
      method: 'HEAD',
      signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]),
    });
    await response.body?.cancel().catch(() => undefined);
    return response.status === 200;
  } catch {
    // Network errors and timeouts are failed tries like any non-200 answer.
    return false;
  }
}

/**
 * Creates the checker. Only status 200 counts, as in Opencast; unlike Opencast it does not
 * sleep after the last failed try. `check` never throws: an abort resolves false at once.
 * @throws AppError INVALID_INPUT for invalid options.
 */
export function createAvailabilityChecker(options: AvailabilityOptions): AvailabilityChecker {
  const { tries, intervalMs, timeoutMs } = options;
  positiveInteger('tries', tries, 1);
  positiveInteger('intervalMs', intervalMs, 0);
  positiveInteger('timeoutMs', timeoutMs, 1);
  const fetchImpl = options.fetchImpl ?? fetch;

  return {
    async check(url, signal, signed) {
      if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) return false;
      for (let attempt = 1; attempt <= tries; attempt++) {
        if (signal?.aborted === true) return false;
        // A fresh signature each try, so a long series of tries never HEADs an expired one.
        const target = signed === undefined ? url : await signed().catch(() => undefined);
        if (target !== undefined && (await answers200(fetchImpl, target, timeoutMs, signal))) {
          return true;
        }
        if (attempt === tries) break;
        try {
          await sleep(intervalMs, undefined, { signal });
        } catch {
          return false;
        }
      }
      return false;
    },
  };
}
