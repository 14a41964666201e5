/** Job endpoints of ServiceRegistryEndpoint (protocol §3, 6, 8, 9). */
import { Hono } from 'hono';
import type { AuthEnv } from './auth.js';
import { readForm } from './form.js';
import { createJob } from './job-create.js';
import { updateJob } from './job-ops.js';
import { parseJobXml } from './job-parse.js';
import { renderJob } from './job-xml.js';
import type { Tables } from './tables.js';

const XML = { 'Content-Type': 'text/xml' };
const blank = (s: string | null) => s === null || s.trim() === '';

/** Routes mounted at `/services`; `jobHost()` is the double's own URL (for `url`, Location). */
export function jobRoutes(t: Tables, jobHost: () => string): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.post('/job', async (c) => {
    const f = await readForm(c.req);
    const [type, host, operation] = [f.get('jobType'), f.get('host'), f.get('operation')];
    if (blank(type) || blank(host) || blank(operation))
      return c.text('jobType, host and operation are required', 400);
    const start = f.get('start');
    const currentJob = c.req.header('X-Opencast-Matterhorn-Current-Job-Id');
    try {
      const job = createJob(t, {
        type: type ?? '',
        host: host ?? '',
        operation: operation ?? '',
        args: f.getAll('arg'),
        jobLoad: Number(f.get('jobLoad') ?? '1'),
        start: blank(start) || start === 'true',
        payload: f.get('payload') ?? undefined,
        // Without the header, the request runs in the default organization.
        organization: c.req.header('X-Opencast-Matterhorn-Organization') ?? 'mh_default_org',
        creator: c.req.header('X-Opencast-Matterhorn-User') ?? c.get('user'),
        currentJobId: blank(currentJob ?? null) ? undefined : Number(currentJob),
      });
      c.header('Location', `${jobHost()}/services/job/${job.id}.xml`);
      return c.body(renderJob(job, jobHost()), 201, XML);
    } catch (err) {
      return c.text(String(err), 500);
    }
  });

  app.get('/job/:file{[0-9]+\\.xml}', (c) => {
    const job = t.jobs.get(Number.parseInt(c.req.param('file'), 10));
    if (job === undefined) return c.text('Not Found', 404);
    return c.body(renderJob(job, jobHost()), 200, XML);
  });

  app.put('/job/:file{[0-9]+\\.xml}', async (c) => {
    const id = Number.parseInt(c.req.param('file'), 10);
    try {
      // Any failure, a missing job or a stale version included, is a 500 (SREp 524-538).
      updateJob(t, id, parseJobXml((await readForm(c.req)).get('job') ?? ''));
      return c.body(null, 204);
    } catch (err) {
      return c.text(String(err), 500);
    }
  });

  return app;
}
