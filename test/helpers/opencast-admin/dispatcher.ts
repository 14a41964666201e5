/**
 * JobDispatcher (protocol §3 step 7): RESTART then QUEUED dispatchable jobs are persisted as
 * DISPATCHING and offered with `POST {host}{path}/dispatch` to the usable registrations,
 * least loaded first. 204 accepts, 412 fails the job, anything else tries the next one; if
 * nobody accepts, the job goes back to QUEUED.
 */
import type { Tables } from './tables.js';
import { trustedPost, type Credentials } from './trusted-client.js';
import type { Job } from './types.js';

/** One dispatcher round. */
export async function dispatchRound(
  t: Tables,
  creds: Credentials,
  signal: AbortSignal,
): Promise<void> {
  const all = [...t.jobs.values()].filter((j) => j.dispatchable);
  const jobs = [
    ...all.filter((j) => j.status === 'RESTART'),
    ...all.filter((j) => j.status === 'QUEUED'),
  ];
  for (const job of jobs) {
    if (signal.aborted) return;
    // Jobs without an organization cannot be run under one (JD 357-377).
    if (job.organization === undefined) continue;
    await dispatchJob(t, creds, job, signal);
  }
}

async function dispatchJob(
  t: Tables,
  creds: Credentials,
  job: Job,
  signal: AbortSignal,
): Promise<void> {
  const candidates = t
    .usable(job.type)
    .filter((r) => t.hostLoad(r.host) < (t.hosts.get(r.host)?.maxLoad ?? 0))
    .sort((a, b) => t.hostLoad(a.host) - t.hostLoad(b.host));
  let version = job.version;
  for (const reg of candidates) {
    // Persist DISPATCHING with the processor before calling, as JD does under its lock.
    if (job.version !== version) return;
    job.status = 'DISPATCHING';
    job.processingHost = reg.host;
    job.version += 1;
    version = job.version;
    const headers: Record<string, string> = {
      'X-Opencast-Matterhorn-Current-Job-Id': String(job.id),
    };
    if (job.organization !== undefined)
      headers['X-Opencast-Matterhorn-Organization'] = job.organization;
    if (job.creator !== undefined) headers['X-Opencast-Matterhorn-User'] = job.creator;
    let status = 0;
    try {
      const fields: Array<[string, string]> = [
        ['id', String(job.id)],
        ['operation', job.operation ?? ''],
      ];
      status = (
        await trustedPost(`${reg.host}${reg.path}/dispatch`, fields, headers, creds, signal)
      ).status;
    } catch {
      status = 0;
    }
    if (status === 204) return;
    if (status === 412) {
      if (job.version === version) {
        job.status = 'FAILED';
        job.version += 1;
      }
      return;
    }
  }
  // Nobody took it: back to QUEUED without a processor, unless somebody changed it meanwhile.
  if (job.version === version && job.status === 'DISPATCHING') {
    job.status = 'QUEUED';
    job.processingHost = undefined;
    job.version += 1;
  }
}
