import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { digestAuth } from '../http/auth/digest-auth.js';
import { healthRoutes, type Readiness } from '../http/health-routes.js';
import { metricsRoutes } from '../http/ops-routes.js';
import type { Metrics } from '../metrics.js';
import type { Closers } from './closers.js';
import { closeServer, listen, serverUrl } from './listen.js';

/**
 * Starts health and metrics for a worker-only process: it serves no API, but orchestrators
 * and Prometheus still need to reach it. Resolves with the URL it listens on.
 */
export async function startOps(
  config: Config,
  logger: Logger,
  parts: { readonly readiness: () => Promise<Readiness>; readonly metrics: Metrics },
  closers: Closers,
): Promise<string> {
  const ops = new Hono();
  const { users, secret, allowBasic, metricsPublic } = config.auth;
  if (users.size > 0 && !metricsPublic) {
    // As on the API: metrics need credentials unless METRICS_PUBLIC says otherwise.
    ops.use('/metrics', digestAuth({ users, secret, allowBasic }));
  }
  ops.route('/', healthRoutes(parts.readiness));
  ops.route('/', metricsRoutes(parts.metrics));
  const server = await listen(ops.fetch, config.http.host, config.http.port);
  closers.push(() => closeServer(server, 1000));
  const url = serverUrl(server);
  logger.info({ url }, 'health and metrics listening');
  return url;
}
