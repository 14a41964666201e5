/** Host and service registration endpoints of ServiceRegistryEndpoint (protocol §3, 1-3, 5). */
import { Hono } from 'hono';
import type { AuthEnv } from './auth.js';
import { readForm } from './call-log.js';
import { cleanRunningJobs } from './job-ops.js';
import { renderHosts, renderService, renderServices } from './registry-xml.js';
import { regKey, type Tables } from './tables.js';

const XML = { 'Content-Type': 'text/xml' };

/** Routes mounted at `/services`. */
export function hostRoutes(t: Tables): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.post('/registerhost', async (c) => {
    const f = await readForm(c.req);
    const baseUrl = f.get('host') ?? '';
    const old = t.hosts.get(baseUrl);
    t.hosts.set(baseUrl, {
      baseUrl,
      address: f.get('address') ?? '',
      nodeName: f.get('nodeName') ?? '',
      memory: Number(f.get('memory') ?? 0),
      cores: Number(f.get('cores') ?? 0),
      maxLoad: Number(f.get('maxLoad') ?? 0),
      online: true,
      active: old?.active ?? true,
      maintenance: old?.maintenance ?? false,
    });
    return c.body(null, 204);
  });

  app.post('/unregisterhost', async (c) => {
    const host = t.hosts.get((await readForm(c.req)).get('host') ?? '');
    if (host === undefined) return c.text('Not Found', 404);
    host.online = false;
    for (const r of t.registrations.values()) {
      if (r.host !== host.baseUrl) continue;
      r.online = false;
      cleanRunningJobs(t, r.type, r.host);
    }
    return c.body(null, 204);
  });

  app.post('/maintenance', async (c) => {
    const f = await readForm(c.req);
    const host = t.hosts.get(f.get('host') ?? '');
    if (host === undefined) return c.text('Not Found', 404);
    host.maintenance = f.get('maintenance') === 'true';
    for (const r of t.registrations.values())
      if (r.host === host.baseUrl) r.maintenance = host.maintenance;
    return c.body(null, 204);
  });

  app.get('/hosts.xml', (c) => c.body(renderHosts([...t.hosts.values()]), 200, XML));

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

  return app;
}
