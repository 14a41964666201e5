/** Maps the HTTP status of a source response to the error raised for it. Pure. */
import { AppError } from '../errors.js';

/** Statuses a redirect is followed for. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Client errors that say "not now" rather than "never". */
const TRANSIENT_CLIENT_ERRORS: ReadonlySet<number> = new Set([408, 425, 429]);

/**
 * The error for a source that answered `status` (anything but 200, the only success, as
 * in Opencast): 404/410 SOURCE_NOT_FOUND; 401/403 and other 4xx SOURCE_FORBIDDEN (the
 * source refuses this request for good); 5xx, 408, 425, 429 and unexpected 1xx-3xx
 * SOURCE_UNAVAILABLE, which is retried.
 */
export function errorForStatus(status: number, description: string): AppError {
  const answered = `Source ${description} answered HTTP ${status}`;
  if (status === 404 || status === 410) return new AppError('SOURCE_NOT_FOUND', answered);
  if (status >= 400 && status < 500 && !TRANSIENT_CLIENT_ERRORS.has(status)) {
    return new AppError('SOURCE_FORBIDDEN', answered);
  }
  return new AppError('SOURCE_UNAVAILABLE', answered);
}
