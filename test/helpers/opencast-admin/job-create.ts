/** createJob as `POST /services/job` runs it (SREp 477-522, SRJpa 523-591). */
import type { Tables } from './tables.js';
import type { Job } from './types.js';

/** What the endpoint read from the form and the X-Opencast-Matterhorn-* headers. */
export interface CreateJobInput {
  type: string;
  host: string;
  operation: string;
  args: string[];
  jobLoad: number;
  start: boolean;
  payload?: string | undefined;
  organization?: string | undefined;
  creator?: string | undefined;
  currentJobId?: number | undefined;
}

/**
 * Creates a job. `start` gives QUEUED and dispatchable; otherwise INSTANTIATED, not
 * dispatchable, with `host` as processor. Throws (→ 500) when (type, host) is not registered
 * or the current job cannot be loaded (CurrentJobFilter).
 */
export function createJob(t: Tables, input: CreateJobInput): Job {
  if (t.registration(input.type, input.host) === undefined) {
    throw new Error(`no service registration for ${input.type} on ${input.host}`);
  }
  let parentJobId: number | undefined;
  let rootJobId: number | undefined;
  if (input.currentJobId !== undefined) {
    const parent = t.jobs.get(input.currentJobId);
    if (parent === undefined) throw new Error(`current job ${input.currentJobId} not found`);
    parentJobId = parent.id;
    rootJobId = parent.rootJobId ?? parent.id;
  }
  const job: Job = {
    id: t.nextJobId++,
    version: 1,
    type: input.type,
    status: input.start ? 'QUEUED' : 'INSTANTIATED',
    creator: input.creator,
    organization: input.organization,
    operation: input.operation,
    args: input.args,
    createdHost: input.host,
    processingHost: input.start ? undefined : input.host,
    dateCreated: new Date(),
    parentJobId,
    rootJobId,
    queueTime: 0,
    runTime: 0,
    payload: input.payload,
    dispatchable: input.start,
    jobLoad: input.jobLoad,
  };
  t.jobs.set(job.id, job);
  return job;
}
