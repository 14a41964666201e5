/** The double's HTTP surface: call log, Digest security, fault injection, then the routes. */
import { Hono } from 'hono';
import { digestAuth, type AdminUser, type AuthEnv } from './auth.js';
import { callLog } from './call-log.js';
import type { Faults } from './faults.js';
import { hostRoutes } from './host-routes.js';
import { incidentRoutes } from './incident-routes.js';
import { jobRoutes } from './job-routes.js';
import { serviceRoutes } from './service-routes.js';
import type { Tables } from './tables.js';

/** Builds the Hono app over `tables`; `jobHost()` is the URL the double listens on. */
export function createAdminApp(
  tables: Tables,
  users: Map<string, AdminUser>,
  faults: Faults,
  jobHost: () => string,
): Hono<AuthEnv> {
  // Not strict: JAX-RS matches `/incidents/` and `/incidents` alike.
  const app = new Hono<AuthEnv>({ strict: false });
  app.use('*', callLog(tables.calls));
  for (const prefix of ['/services', '/incidents']) {
    app.use(`${prefix}/*`, digestAuth(users), faults.middleware());
    app.use(prefix, digestAuth(users), faults.middleware());
  }
  app.route('/services', hostRoutes(tables));
  app.route('/services', serviceRoutes(tables));
  app.route('/services', jobRoutes(tables, jobHost));
  app.route('/incidents', incidentRoutes(tables));
  return app;
}
