/** Service registration endpoints of ServiceRegistryEndpoint (protocol §3 steps 2, 3, 5, 8). */
import { Hono } from 'hono';
import type { AuthEnv } from './auth.js';
import { readForm } from './form.js';
import { cleanRunningJobs } from './job-ops.js';
import { renderService, renderServices } from './registry-xml.js';
import { regKey, type Tables } from './tables.js';

const XML = { 'Content-Type': 'text/xml' };

/** Routes mounted at `/services`. */
export function serviceRoutes(t: Tables): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.post('/register', async (c) => {
    const f = await readForm(c.req);
    const [type, host, path] = [
      f.get('serviceType') ?? '',
      f.get('host') ?? '',
      f.get('path') ?? '',
    ];
    const hostRow = t.hosts.get(host);
    if (hostRow === undefined)
      return c.text(`IllegalStateException: host ${host} not registered`, 500);
    cleanRunningJobs(t, type, host);
    const now = new Date();
    const old = t.registration(type, host);
    if (old === undefined && path === '') return c.text('path is required', 500);
    const row = old ?? {
      type,
      host,
      path,
      active: true,
      online: false,
      maintenance: hostRow.maintenance,
      jobProducer: false,
      onlineFrom: now,
      serviceState: 'NORMAL' as const,
      stateChanged: now,
    };
    if (!row.online) row.onlineFrom = now;
    row.online = true;
    row.jobProducer = f.get('jobProducer') === 'true';
    if (path !== '') row.path = path;
    t.registrations.set(regKey(type, host), row);
    return c.body(renderService(row), 200, XML);
  });

  app.post('/unregister', async (c) => {
    const f = await readForm(c.req);
    const row = t.registration(f.get('serviceType') ?? '', f.get('host') ?? '');
    if (row !== undefined) {
      row.online = false;
      cleanRunningJobs(t, row.type, row.host);
    }
    return c.body(null, 204);
  });

  app.get('/services.xml', (c) => {
    const type = c.req.query('serviceType');
    const host = c.req.query('host');
    const rows = [...t.registrations.values()].filter(
      (r) => (type === undefined || r.type === type) && (host === undefined || r.host === host),
    );
    if (rows.length === 0) return c.text('Not Found', 404);
    return c.body(renderServices(rows), 200, XML);
  });

  app.post('/sanitize', async (c) => {
    // The admin's way out of ERROR (SREp 164-175).
    const f = await readForm(c.req);
    const row = t.registration(f.get('serviceType') ?? '', f.get('host') ?? '');
    if (row === undefined) return c.text('Not Found', 404);
    row.serviceState = 'NORMAL';
    row.stateChanged = new Date();
    return c.body(null, 204);
  });

  return app;
}
