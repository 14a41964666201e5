/**
 * The status changes Java's `JobRunner` makes to a job it processes (protocol §3 step 8),
 * as pure functions over the job read from the registry. Every other field is kept: the
 * registry copies payload, status, dispatchable, version, operation and arguments from the
 * XML it is sent. Dates, queue and run times are the registry's to set.
 */
import type { Job } from '../opencast/model.js';

/**
 * The job accepted for processing on `host` (the registered host string H): the registry
 * keeps the processor only when `processingHost` names the host it is registered under.
 */
export function asRunning(job: Job, host: string): Job {
  return { ...job, status: 'RUNNING', processingHost: host };
}

/** The job done, with its result (the `###`-joined element XML, or '' for none). */
export function asFinished(job: Job, payload: string): Job {
  return { ...job, status: 'FINISHED', payload };
}

/** The job failed; the incident that explains it is recorded separately. */
export function asFailed(job: Job): Job {
  return { ...job, status: 'FAILED' };
}
