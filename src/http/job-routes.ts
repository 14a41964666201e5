import { Hono } from 'hono';
import { jobIdSchema } from '../contract/command.js';
import { AppError } from '../errors.js';
import type { JobService } from '../jobs/job-service.js';
import { jobToJson, serializeJob } from '../opencast/job-xml.js';
import { mayReadJob, type JobAccess } from './job-access.js';

/** Header of a FAILED job's answer: its error code (the JSON also has the message). */
export const JOB_ERROR_CODE_HEADER = 'X-Job-Error-Code';

/**
 * `GET /jobs/{id}` (also `{id}.xml` and `{id}.json`, as Opencast's `/services/job/{id}.xml`):
 * XML by default, JSON when the suffix or the Accept header asks for it. Only the job's
 * organization (and ROLE_ADMIN) sees it; to others it does not exist.
 */
export function jobRoutes(jobs: JobService, access: JobAccess): Hono {
  const app = new Hono();
  app.get('/:id', async (c) => {
    const param = c.req.param('id');
    const match = /^(.*?)(?:\.(xml|json))?$/.exec(param);
    const id = match?.[1] ?? param;
    if (!jobIdSchema.safeParse(id).success) {
      throw new AppError('INVALID_INPUT', `'${id.slice(0, 40)}' is not a job id`);
    }
    const job = await jobs.get(id);
    if (job === undefined || !mayReadJob(job, c, access)) {
      throw new AppError('JOB_NOT_FOUND', `No job ${id} is known here`);
    }
    // Opencast's job XML has no place for the reason; the header tells it in both forms.
    if (job.error !== undefined) c.header(JOB_ERROR_CODE_HEADER, job.error.code);
    const wantsJson =
      match?.[2] === 'json' ||
      (match?.[2] === undefined && /\bapplication\/json\b/.test(c.req.header('Accept') ?? ''));
    if (wantsJson) return c.json(jobToJson(job));
    return c.body(serializeJob(job), 200, { 'Content-Type': 'text/xml; charset=UTF-8' });
  });
  return app;
}
