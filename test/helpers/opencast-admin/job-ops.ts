/** The job operations of ServiceRegistryJpaImpl that the double reproduces. */
import type { Tables } from './tables.js';
import type { Job, JobStatus } from './types.js';
import type { ParsedJob } from './job-parse.js';

/** Optimistic-lock failure; `PUT /services/job` maps it (like any failure) to 500. */
export class StaleVersionError extends Error {}

/**
 * cleanRunningJobs(type, host): RUNNING, DISPATCHING and WAITING jobs processed by `host`
 * become RESTART (processor cleared) when dispatchable, FAILED otherwise.
 */
export function cleanRunningJobs(t: Tables, type: string, host: string): void {
  for (const job of t.jobs.values()) {
    if (job.type !== type || job.processingHost !== host) continue;
    if (!['RUNNING', 'DISPATCHING', 'WAITING'].includes(job.status)) continue;
    if (job.dispatchable) {
      job.status = 'RESTART';
      job.processingHost = undefined;
    } else {
      job.status = 'FAILED';
    }
    job.version += 1;
  }
}

/** Sets status and the dates the registry derives from it (SRJpa update). */
export function applyStatus(job: Job, status: JobStatus, now = new Date()): void {
  job.dateCreated ??= now;
  if (status === 'RUNNING' && job.status !== 'RUNNING') {
    job.dateStarted = now;
    job.queueTime = now.getTime() - job.dateCreated.getTime();
  }
  if ((status === 'FINISHED' || status === 'FAILED') && job.status !== status) {
    job.dateCompleted = now;
    job.runTime = job.dateStarted === undefined ? 0 : now.getTime() - job.dateStarted.getTime();
  }
  job.status = status;
}

/**
 * `PUT /services/job/{id}.xml`: copies the fields from the XML under optimistic locking and
 * bumps the version. The processor is the registration (type, processingHost), if any.
 */
export function updateJob(t: Tables, id: number, parsed: ParsedJob): Job {
  const job = t.jobs.get(id);
  if (job === undefined) throw new Error(`job ${id} not found`);
  if (parsed.version !== job.version) {
    throw new StaleVersionError(`job ${id}: version ${parsed.version} is not ${job.version}`);
  }
  job.payload = parsed.payload;
  job.dispatchable = parsed.dispatchable;
  job.operation = parsed.operation;
  job.args = parsed.args;
  const host = parsed.processingHost;
  job.processingHost =
    host !== undefined && t.registration(job.type, host) !== undefined ? host : undefined;
  applyStatus(job, parsed.status ?? job.status);
  job.version += 1;
  if (job.processingHost !== undefined) updateServiceState(t, job);
  return job;
}

/** FAILED pushes a NORMAL registration to WARNING, FINISHED brings WARNING back (SRJpa 2217-2295). */
function updateServiceState(t: Tables, job: Job): void {
  const reg = t.registration(job.type, job.processingHost ?? '');
  if (reg === undefined) return;
  const next =
    job.status === 'FAILED' && reg.serviceState === 'NORMAL'
      ? 'WARNING'
      : job.status === 'FINISHED' && reg.serviceState === 'WARNING'
        ? 'NORMAL'
        : reg.serviceState;
  if (next === reg.serviceState) return;
  reg.serviceState = next;
  reg.stateChanged = new Date();
}
