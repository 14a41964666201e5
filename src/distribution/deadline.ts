/**
 * One total deadline per command: a signal that aborts when the caller's does, or when the
 * command has run for its allowed time, whichever comes first. Every request, retry and
 * backoff of the run listens to it, so nothing can stretch a command beyond it.
 */
import { AppError, isAppError } from '../errors.js';

/** A run's signal and how to release its timer. */
export interface Deadline {
  /** Aborts with the caller's reason, or with DEADLINE_EXCEEDED once time is up. */
  readonly signal: AbortSignal;
  /** Stops the timer and the link to the caller's signal; call when the run ends. */
  clear(): void;
  /**
   * The error a run that failed with `error` reports: DEADLINE_EXCEEDED when the deadline
   * stopped it (whatever an adapter made of the abort, e.g. SOURCE_UNAVAILABLE), naming what
   * was in progress; else `error` unchanged.
   */
  explain(error: unknown): unknown;
}

/**
 * Starts the deadline of one run. `deadlineMs` undefined: the run has only `parent`.
 * `what` names the run in the error (e.g. `distribute job 42`).
 */
export function startDeadline(
  parent: AbortSignal,
  deadlineMs: number | undefined,
  what: string,
): Deadline {
  if (deadlineMs === undefined) {
    return { signal: parent, clear: () => undefined, explain: (error) => error };
  }
  const controller = new AbortController();
  const onParent = (): void => {
    controller.abort(parent.reason);
  };
  const timer = setTimeout(() => {
    controller.abort(
      new AppError(
        'DEADLINE_EXCEEDED',
        `The ${what} did not finish within its deadline of ${deadlineMs} ms (COMMAND_DEADLINE_MS) and was stopped`,
      ),
    );
  }, deadlineMs);
  if (parent.aborted) onParent();
  else parent.addEventListener('abort', onParent, { once: true });
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParent);
    },
    explain: (error) => {
      const reason: unknown = controller.signal.reason;
      if (parent.aborted || !isAppError(reason) || reason.code !== 'DEADLINE_EXCEEDED') {
        return error;
      }
      if (error === reason) return error;
      const doing = error instanceof Error ? `; stopped during: ${error.message}` : '';
      return new AppError('DEADLINE_EXCEEDED', `${reason.message}${doing}`, { cause: error });
    },
  };
}
