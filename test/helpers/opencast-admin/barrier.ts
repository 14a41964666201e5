/**
 * JobBarrier (protocol §3 step 9): polls the job table until FINISHED, FAILED or DELETED; an
 * unknown id counts as DELETED (failure); CANCELLED rejects. No overall timeout, like Opencast.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Tables } from './tables.js';
import type { JobStatus } from './types.js';

/** What the barrier copies into the caller's job. */
export interface BarrierResult {
  status: Extract<JobStatus, 'FINISHED' | 'FAILED' | 'DELETED'>;
  payload: string | undefined;
}

/** Waits for job `id`, polling every `intervalMs` (Opencast: 5000). */
export async function waitForJob(
  t: Tables,
  id: number,
  opts: { intervalMs?: number; signal?: AbortSignal } = {},
): Promise<BarrierResult> {
  for (;;) {
    const job = t.jobs.get(id);
    if (job === undefined) return { status: 'DELETED', payload: undefined };
    if (job.status === 'CANCELLED') throw new Error(`job ${id} was cancelled`);
    if (job.status === 'FINISHED' || job.status === 'FAILED' || job.status === 'DELETED') {
      return { status: job.status, payload: job.payload };
    }
    await sleep(opts.intervalMs ?? 5000, undefined, { signal: opts.signal });
  }
}
