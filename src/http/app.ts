import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import { AppError, isAppError } from '../errors.js';
import { digestAuth, type DigestAuthOptions } from './auth/digest-auth.js';
import { requireContextRoles, type UserRoles } from './auth/context-roles.js';
import { isApiDocument, isHealthOrHeartbeat, isMetrics } from './auth/digest-exempt.js';
import { dispatchRoutes, type DispatchRouteDeps } from './dispatch-routes.js';
import { distributionRoutes, type DistributionRouteDeps } from './distribution-routes.js';
import { docsPageRoutes } from './docs-page-routes.js';
import { docsRoutes } from './docs-routes.js';
import { httpStatusOf } from './error-status.js';
import { healthRoutes, type Readiness } from './health-routes.js';
import { jobRoutes } from './job-routes.js';
import { noRouteAnswer } from './method-not-allowed.js';
import { metricsRoutes, recordRequests } from './ops-routes.js';
import { payloadLimit } from './payload-limit.js';
import { signedUrlRoutes, type SignedUrlRouteDeps } from './signed-url-routes.js';
import type { Metrics } from '../metrics.js';

/** Everything the HTTP adapter needs; built by the composition root. */
export interface AppDeps extends DistributionRouteDeps, DispatchRouteDeps, SignedUrlRouteDeps {
  readonly readiness: () => Promise<Readiness>;
  readonly maxBodyBytes: number;
  readonly logger: Logger;
  /** Process metrics, served at `/metrics` and fed by a request middleware. */
  readonly metrics?: Metrics | undefined;
  /** Digest authentication as Opencast's nodes speak it; undefined: none. */
  readonly auth?: Omit<DigestAuthOptions, 'exempt' | 'onReject'> | undefined;
  /** `/metrics` without credentials although `auth` is set (METRICS_PUBLIC); default false. */
  readonly metricsPublic?: boolean | undefined;
  /**
   * Opencast roles of the authenticated users: organization and user switching, and
   * ROLE_ADMIN reads the jobs of every organization.
   */
  readonly roles?: UserRoles | undefined;
}

/**
 * The HTTP adapter: validates requests, hands them to the job service and renders
 * Opencast's formats. Never listens; `main.ts` serves it and tests call `app.request()`.
 */
export function createApp(deps: AppDeps): Hono {
  // Opencast posts to `/distribution/s3` without a trailing slash; other clients add one.
  const app = new Hono({ strict: false });

  if (deps.metrics !== undefined) app.use('*', recordRequests(deps.metrics));
  if (deps.auth !== undefined) {
    // First, so Opencast's body-less probe gets its 401 before any other work.
    app.use(
      '*',
      digestAuth({
        ...deps.auth,
        // Probes carry no Opencast credentials; scrapers only when the operator says so.
        exempt: (c) =>
          isHealthOrHeartbeat(c) ||
          isApiDocument(c) ||
          (deps.metricsPublic === true && isMetrics(c)),
        onReject: (reason, c) => {
          deps.logger.info({ reason, path: c.req.path }, 'authentication refused');
        },
      }),
    );
    // Nobody switches organization or user without the role Opencast demands for it.
    app.use('*', requireContextRoles(deps.roles ?? new Map(), deps.defaultOrganization));
  }
  app.use(
    '/distribution/*',
    payloadLimit({
      maxBytes: deps.maxBodyBytes,
      tooLarge: () =>
        new AppError('PAYLOAD_TOO_LARGE', `Request body is larger than ${deps.maxBodyBytes} bytes`),
    }),
  );
  app.route('/distribution/s3', dispatchRoutes(deps));
  app.route('/distribution/s3', distributionRoutes(deps));
  app.route('/distribution/s3', signedUrlRoutes(deps));
  app.route(
    '/jobs',
    jobRoutes(deps.jobs, {
      defaultOrganization: deps.defaultOrganization,
      roles: deps.roles ?? new Map(),
    }),
  );
  app.route('/', healthRoutes(deps.readiness));
  if (deps.metrics !== undefined) app.route('/', metricsRoutes(deps.metrics));
  app.route('/docs', docsRoutes());
  app.route('/', docsPageRoutes());

  app.notFound((c) => noRouteAnswer(c, app.routes));
  app.onError((err, c) => {
    if (isAppError(err)) {
      const status = httpStatusOf[err.code];
      const where = { code: err.code, jobId: err.jobId, method: c.req.method, path: c.req.path };
      // A rejected request is the caller's matter: one info line with the reason, no stack.
      if (status < 500)
        deps.logger.info({ ...where, status, reason: err.message }, 'request rejected');
      else deps.logger.error({ err, ...where, status }, 'request failed');
      if (status === 503) c.header('Retry-After', '10');
      // Sync errors after the job was created name it, to correlate with its events.
      if (err.jobId === undefined) {
        return c.json({ error: { code: err.code, message: err.message } }, status);
      }
      c.header('X-Job-Id', err.jobId);
      return c.json({ error: { code: err.code, message: err.message, jobId: err.jobId } }, status);
    }
    if (err instanceof HTTPException) return err.getResponse();
    deps.logger.error({ err, path: c.req.path }, 'unexpected error');
    return c.json({ error: { code: 'INTERNAL', message: 'Internal error' } }, 500);
  });
  return app;
}
