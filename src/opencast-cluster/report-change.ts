/**
 * How a worker's status report changes the registry's job (protocol §3 step 8), as a pure
 * function for `updateJob`: statuses move forward only. A job the registry already has as
 * FINISHED, FAILED, DELETED or CANCELLED is left alone (a report repeated after a
 * redelivery, a RUNNING report overtaken by the final one, a job an admin cancelled).
 */
import type { JobReply } from '../contract/reply.js';
import type { Job, JobStatus } from '../opencast/model.js';
import { asFailed, asFinished, asRunning } from './job-status.js';
import type { JobChange } from './update-job.js';

const FINAL: ReadonlySet<JobStatus> = new Set(['FINISHED', 'FAILED', 'DELETED', 'CANCELLED']);

/** Whether the registry's job is in a status no report changes. */
export function isFinal(job: Job): boolean {
  return FINAL.has(job.status);
}

/**
 * The change a report makes, for host H (`host`). Every other field of the job is echoed:
 * the registry copies arguments, payload and dispatchable from what it is sent.
 */
export function reportChange(
  report: Pick<JobReply, 'status' | 'payload'>,
  host: string,
): JobChange {
  return (current) => {
    if (isFinal(current)) return undefined;
    switch (report.status) {
      case 'RUNNING':
        return current.status === 'RUNNING' ? undefined : asRunning(current, host);
      case 'FINISHED':
        return withProcessor(asFinished(current, report.payload ?? ''), host);
      case 'FAILED':
        return withProcessor(asFailed(current), host);
    }
  };
}

/**
 * The job keeps the processor that accepted it (another replica's H, maybe); one the
 * registry cleared meanwhile (a RESTART) becomes this host, which did the work.
 */
function withProcessor(job: Job, host: string): Job {
  return job.processingHost === undefined ? { ...job, processingHost: host } : job;
}
