/** Host endpoints of ServiceRegistryEndpoint (protocol §3 steps 1 and 5). */
import { Hono } from 'hono';
import type { AuthEnv } from './auth.js';
import { readForm } from './form.js';
import { cleanRunningJobs } from './job-ops.js';
import { renderHosts } from './registry-xml.js';
import type { Tables } from './tables.js';

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

  return app;
}
