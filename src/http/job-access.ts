import type { Context } from 'hono';
import type { Job } from '../opencast/model.js';
import { authenticatedUser } from './auth/digest-auth.js';
import { ORGANIZATION_HEADER } from './request-fields.js';

/** What deciding on a job's visibility needs. */
export interface JobAccess {
  /** The organization of a request without the Opencast organization header. */
  readonly defaultOrganization: string;
  /** Roles of each authenticated user (the system account has ROLE_ADMIN). */
  readonly roles: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * Whether the caller may see a job: a job belongs to its organization, and only requests of
 * that organization (the Opencast organization header, or the default) see it; ROLE_ADMIN
 * sees every job. Callers who may not see a job are told it does not exist (404), so the
 * answer reveals nothing about other organizations' job ids.
 */
export function mayReadJob(job: Job, c: Context, access: JobAccess): boolean {
  const user = authenticatedUser(c);
  if (user !== undefined && access.roles.get(user)?.has('ROLE_ADMIN') === true) return true;
  const header = c.req.header(ORGANIZATION_HEADER);
  const organization = header === undefined || header === '' ? access.defaultOrganization : header;
  return job.organization !== undefined && job.organization === organization;
}
