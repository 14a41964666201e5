/** One line describing a thrown value for error messages. */

/**
 * The message of an error and of its direct cause: undici says only "fetch failed" or
 * "terminated" and keeps the useful part (ECONNREFUSED, "other side closed") in `cause`.
 */
export function errorDetail(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  return cause instanceof Error && cause.message !== ''
    ? `${error.message}: ${cause.message}`
    : error.message;
}
