/**
 * `PUT /services/job/{id}.xml` the way the registry's optimistic locking needs it (protocol
 * §3 step 8): read the job, change it, send the complete XML back; on a 500 (how every
 * failure comes back, a stale version included) read it again and retry, a bounded number
 * of times. A job that no longer exists (the workflow was stopped) is final, not an error.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { serializeJob } from '../opencast/job-xml.js';
import type { Job } from '../opencast/model.js';
import { RegistryError, statusError } from './registry-error.js';
import type { RegistryHttp } from './registry-http.js';
import { getJob } from './registry-jobs.js';

/** The new job for the current one, or undefined to leave it as it is. */
export type JobChange = (current: Job) => Job | undefined;

/** How an update ended: `job` is the job as sent (updated) or as read (skipped). */
export type UpdateResult =
  | { readonly outcome: 'updated'; readonly job: Job }
  | { readonly outcome: 'skipped'; readonly job: Job }
  | { readonly outcome: 'missing' };

/** How often to read and write again after a 500, and how long to wait in between. */
export interface UpdatePolicy {
  /** PUT attempts in total; default 5. */
  readonly attempts?: number | undefined;
  /** Wait before the n-th retry: n × this, in milliseconds; default 100. */
  readonly backoffMs?: number | undefined;
}

/**
 * Applies `change` to the stored job and writes it back.
 * @throws RegistryError REGISTRY_CONFLICT when every attempt got a 500, REGISTRY_UNAVAILABLE
 * or REGISTRY_REJECTED for other failures (see registry-error.ts).
 */
export async function updateJob(
  http: RegistryHttp,
  id: string,
  change: JobChange,
  policy: UpdatePolicy = {},
): Promise<UpdateResult> {
  const attempts = policy.attempts ?? 5;
  const path = `services/job/${encodeURIComponent(id)}.xml`;
  for (let attempt = 1; ; attempt++) {
    const stored = await getJob(http, id);
    if (stored === undefined) return { outcome: 'missing' };
    const next = change(stored.job);
    if (next === undefined) return { outcome: 'skipped', job: stored.job };
    const form = new URLSearchParams({ job: serializeJob(next) });
    const response = await http.send({ method: 'PUT', path, form });
    if (response.status === 204 || response.status === 200)
      return { outcome: 'updated', job: next };
    // 500 is the registry's answer to a stale version; a 404 is settled by the next GET.
    if (response.status !== 500 && response.status !== 404) {
      throw statusError(`PUT /${path}`, response.status);
    }
    if (attempt >= attempts) {
      throw new RegistryError(
        'REGISTRY_CONFLICT',
        `PUT /${path} failed ${attempts} times after reading the job again`,
        { status: response.status },
      );
    }
    await sleep(attempt * (policy.backoffMs ?? 100));
  }
}
