import { z } from 'zod';
import type { JobProgress } from '../opencast/model.js';

export type { JobProgress } from '../opencast/model.js';

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * How far a running command got: bytes and elements written so far. `bytesTotal` is there
 * only when every element's length is known (from the mediapackage's `size` or the source's
 * `Content-Length`). A retried upload starts its element again, so `bytesDone` may go down.
 */
export const jobProgressSchema: z.ZodType<JobProgress> = z.object({
  bytesDone: count,
  bytesTotal: count.optional(),
  elementsDone: count,
  elementsTotal: count,
});

/** Whether two progress reports say the same (a report that changes nothing is not sent). */
export function sameProgress(a: JobProgress | undefined, b: JobProgress | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.bytesDone === b.bytesDone &&
    a.bytesTotal === b.bytesTotal &&
    a.elementsDone === b.elementsDone &&
    a.elementsTotal === b.elementsTotal
  );
}
