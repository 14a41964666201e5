/**
 * The AvailabilityChecker port: Opencast's checkAvailability. HEADs a distributed URL
 * until it answers 200. This talks to the distribution base (CDN or S3), not to sources,
 * so there is no allow-list here.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AvailabilityChecker, UrlCheck } from '../distribution/ports.js';
import { AppError } from '../errors.js';

/** Options of {@link createAvailabilityChecker}. */
export interface AvailabilityOptions {
  /** How many HEAD requests at most (Opencast: 10). */
  readonly tries: number;
  /** Pause between two tries (Opencast: 30 s). */
  readonly intervalMs: number;
  /** Time limit of one HEAD request. */
  readonly timeoutMs: number;
  /** Time limit of the whole check, every try and pause included; unset: none. */
  readonly maxWaitMs?: number | undefined;
  /** Replaces the global fetch, for tests. */
  readonly fetchImpl?: typeof fetch | undefined;
}

function positiveInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min || value > 2 ** 31 - 1) {
    throw new AppError('INVALID_INPUT', `availability.${name} must be an integer >= ${min}`);
  }
}

/** One HEAD: 200, another status (try again), or no connection at all (give up). */
type Answer = { readonly kind: 'ok' | 'status' | 'timeout' | 'network'; readonly detail: string };

/** The code of a network error (`ECONNREFUSED`, `ENOTFOUND`), else its message. */
function networkDetail(error: unknown): string {
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  for (const candidate of [cause, error]) {
    if (candidate instanceof Error) {
      const code = (candidate as NodeJS.ErrnoException).code;
      if (typeof code === 'string' && code !== '') return code;
    }
  }
  if (cause instanceof Error && cause.message !== '') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

async function head(
  fetchImpl: typeof fetch,
  url: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Answer> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetchImpl(url, {
      method: 'HEAD',
      signal: AbortSignal.any([timeout, signal]),
    });
    await response.body?.cancel().catch(() => undefined);
    const detail = `HTTP ${String(response.status)}`;
    return { kind: response.status === 200 ? 'ok' : 'status', detail };
  } catch (error) {
    // A slow answer may come next time; a refused connection or unknown host will not.
    if (timeout.aborted) return { kind: 'timeout', detail: `no answer within ${timeoutMs} ms` };
    if (signal.aborted) return { kind: 'timeout', detail: 'stopped waiting' };
    return { kind: 'network', detail: networkDetail(error) };
  }
}

/**
 * Creates the checker. Only status 200 counts, as in Opencast; unlike Opencast it does not
 * sleep after the last failed try, gives up at once when no connection can be made (a
 * wrong base URL would otherwise cost every distribute tries x interval), and never waits
 * longer than `maxWaitMs` in all. `check` never throws: an abort resolves at once.
 * @throws AppError INVALID_INPUT for invalid options.
 */
export function createAvailabilityChecker(options: AvailabilityOptions): AvailabilityChecker {
  const { tries, intervalMs, timeoutMs, maxWaitMs } = options;
  positiveInteger('tries', tries, 1);
  positiveInteger('intervalMs', intervalMs, 0);
  positiveInteger('timeoutMs', timeoutMs, 1);
  if (maxWaitMs !== undefined) positiveInteger('maxWaitMs', maxWaitMs, 1);
  const fetchImpl = options.fetchImpl ?? fetch;

  return {
    async check(url, signal, signed): Promise<UrlCheck> {
      if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
        return { result: 'unreachable', detail: 'not an http(s) URL', tries: 0 };
      }
      const signals = [
        signal,
        maxWaitMs === undefined ? undefined : AbortSignal.timeout(maxWaitMs),
      ];
      const bound = AbortSignal.any(signals.filter((s) => s !== undefined));
      let last: Answer = { kind: 'timeout', detail: 'stopped before the first try' };
      let attempt = 0;
      while (attempt < tries && !bound.aborted) {
        attempt++;
        // A fresh signature each try, so a long series of tries never HEADs an expired one.
        const target = signed === undefined ? url : await signed().catch(() => undefined);
        last =
          target === undefined
            ? { kind: 'timeout', detail: 'could not sign the URL' }
            : await head(fetchImpl, target, timeoutMs, bound);
        if (last.kind === 'ok') return { result: 'available', detail: last.detail, tries: attempt };
        if (last.kind === 'network') break;
        if (attempt === tries) break;
        await sleep(intervalMs, undefined, { signal: bound }).catch(() => undefined);
      }
      const gaveUp = bound.aborted && signal?.aborted !== true && maxWaitMs !== undefined;
      return {
        result: last.kind === 'status' ? 'unavailable' : 'unreachable',
        detail: gaveUp ? `${last.detail}; gave up after ${maxWaitMs} ms` : last.detail,
        tries: attempt,
      };
    },
  };
}
