/** `POST /incidents/` as IncidentServiceEndpoint receives it from a failing job runner. */
import { Hono } from 'hono';
import type { AuthEnv } from './auth.js';
import { readForm } from './form.js';
import type { Tables } from './tables.js';

/** Routes mounted at `/incidents`. */
export function incidentRoutes(t: Tables): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.post('/', async (c) => {
    const f = await readForm(c.req);
    const job = f.get('job');
    if (job === null || job === '') return c.text('job is required', 400);
    t.incidents.push({
      jobXml: job,
      date: f.get('date') ?? '',
      code: f.get('code') ?? '',
      severity: f.get('severity') ?? '',
      details: f.get('details') ?? '',
    });
    return c.body(null, 201);
  });
  return app;
}
