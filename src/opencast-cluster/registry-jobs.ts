/**
 * Job calls of the service registry (protocol §3 steps 6, 8, 9): create a job on behalf of
 * the caller, read one, and record an incident for a failed one.
 */
import { parseJob, serializeJob } from '../opencast/job-xml.js';
import type { Job } from '../opencast/model.js';
import type { RegistryHttp } from './registry-http.js';

/** What `POST /services/job` needs; the three context fields come from the caller's headers. */
export interface CreateJobInput {
  readonly jobType: string;
  readonly operation: string;
  /** The operation's arguments, in order. */
  readonly args: readonly string[];
  readonly jobLoad: number;
  /** true: QUEUED for the dispatcher; false: INSTANTIATED and processed at once. */
  readonly start: boolean;
  /** `X-Opencast-Matterhorn-Organization`: the job's organization. */
  readonly organization?: string | undefined;
  /** `X-Opencast-Matterhorn-User`: the job's creator. */
  readonly user?: string | undefined;
  /** `X-Opencast-Matterhorn-Current-Job-Id`: becomes the job's parent. */
  readonly currentJobId?: string | undefined;
}

/** A job as read from the registry, with the XML it was read from. */
export interface StoredJob {
  readonly job: Job;
  readonly xml: string;
}

function contextHeaders(input: CreateJobInput): Record<string, string> {
  const headers: Record<string, string> = {};
  if (input.organization !== undefined) {
    headers['X-Opencast-Matterhorn-Organization'] = input.organization;
  }
  if (input.user !== undefined) headers['X-Opencast-Matterhorn-User'] = input.user;
  if (input.currentJobId !== undefined) {
    headers['X-Opencast-Matterhorn-Current-Job-Id'] = input.currentJobId;
  }
  return headers;
}

/** Creates the registry's job for a request this host (`host`) received; expects 201. */
export async function createJob(
  http: RegistryHttp,
  host: string,
  input: CreateJobInput,
): Promise<Job> {
  const form = new URLSearchParams({ jobType: input.jobType, host, operation: input.operation });
  for (const arg of input.args) form.append('arg', arg);
  form.append('jobLoad', String(input.jobLoad));
  form.append('start', String(input.start));
  const headers = contextHeaders(input);
  const response = await http.expect({ method: 'POST', path: 'services/job', form, headers }, 201);
  return parseJob(response.body);
}

/** The job, or undefined when the registry has no job with this id (404). */
export async function getJob(http: RegistryHttp, id: string): Promise<StoredJob | undefined> {
  const path = `services/job/${encodeURIComponent(id)}.xml`;
  const response = await http.expect({ method: 'GET', path }, 200, 404);
  if (response.status === 404) return undefined;
  return { job: parseJob(response.body), xml: response.body };
}

/** What an incident says; shown to the admin next to the failed job. */
export interface IncidentDetail {
  readonly title: string;
  readonly content: string;
}

/** Records an `unhandled-exception` FAILURE incident for `job`, as Java's JobRunner does. */
export async function recordIncident(
  http: RegistryHttp,
  job: Job,
  detail: IncidentDetail,
): Promise<void> {
  const form = new URLSearchParams({
    job: serializeJob(job),
    // Opencast reads the date with DateTimeSupport.fromUTC: seconds, no milliseconds.
    date: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    code: 'org.opencastproject.system.unhandled-exception',
    severity: 'FAILURE',
    details: JSON.stringify([{ title: detail.title, content: detail.content }]),
  });
  await http.expect({ method: 'POST', path: 'incidents/', form }, 201, 204, 200);
}
