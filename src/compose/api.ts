import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { CommandRequest } from '../contract/command.js';
import { decodeReply } from '../contract/reply.js';
import { createJobIdGenerator } from '../distribution/job-id.js';
import type { DistributionDeps } from '../distribution/distribute.js';
import { validateRequest } from '../distribution/validate.js';
import { createApp } from '../http/app.js';
import type { Readiness } from '../http/health-routes.js';
import { JobService } from '../jobs/job-service.js';
import { MemoryJobStore } from '../jobs/job-store.js';
import type { Broker } from '../messaging/broker.js';
import type { Metrics } from '../metrics.js';
import type { Closers } from './closers.js';
import { closeServer, listen, serverUrl } from './listen.js';
import { opencastRoutesDeps, type OpencastJobs } from './opencast-jobs.js';

/** What the API role needs from the other roles. */
export interface ApiParts {
  readonly broker: Broker;
  readonly distribution: DistributionDeps;
  readonly readiness: () => Promise<Readiness>;
  readonly metrics: Metrics;
  /** Opencast mode's registry parts; undefined: standalone. */
  readonly opencast?: OpencastJobs | undefined;
}

/**
 * Starts the API role: the job service with its reply queue, the HTTP app and its listener.
 * Resolves with the URL it listens on.
 */
export async function startApi(
  config: Config,
  logger: Logger,
  parts: ApiParts,
  closers: Closers,
): Promise<string> {
  const { broker } = parts;
  const jobs = new JobService({
    store: new MemoryJobStore(),
    send: ({ routingKey, body, properties }) => broker.publishCommand(routingKey, body, properties),
    replyTo: () => replyQueue,
    newJobId: createJobIdGenerator(),
    clock: () => new Date(),
    jobUrl: (id) => `${config.http.publicUrl}/jobs/${id}`,
    jobLoad: config.jobLoad,
    maxWaiters: config.maxSyncWaiters,
  });
  const replyQueue = await broker.openReplyQueue((delivery) => {
    const reply = decodeReply(delivery.body);
    if (reply === undefined) logger.warn('ignored a malformed reply');
    else jobs.applyReply(reply);
  });

  const { users, secret, allowBasic } = config.auth;
  const validate = (request: CommandRequest) => {
    validateRequest(request, parts.distribution);
  };
  // Set first on close: the heartbeat and dispatch say "not here" while draining.
  let closing = false;
  const app = createApp({
    jobs,
    validate,
    roles: config.auth.roles,
    accepting: () => !closing && broker.isConnected(),
    ...(parts.opencast === undefined
      ? {}
      : opencastRoutesDeps(config, logger, broker, parts.opencast, validate)),
    syncTimeoutMs: config.syncTimeoutMs,
    defaultOrganization: config.defaultOrganization,
    readiness: parts.readiness,
    metrics: parts.metrics,
    maxBodyBytes: config.maxBodyBytes,
    logger,
    auth: users.size === 0 ? undefined : { users, secret, allowBasic },
  });
  if (users.size === 0) {
    logger.warn(
      'No AUTH_DIGEST_USER configured: the HTTP API accepts requests without authentication',
    );
  }
  const server = await listen(app.fetch, config.http.host, config.http.port);
  // Closers run in reverse: first answer waiting sync requests with 503 and stop
  // accepting, then (registered earlier) drain the worker and close the broker.
  closers.push(() => closeServer(server, 5000));
  closers.push(() => {
    jobs.close();
    return Promise.resolve();
  });
  closers.push(() => {
    closing = true;
    return Promise.resolve();
  });
  const url = serverUrl(server);
  logger.info({ url }, 'HTTP adapter listening');
  return url;
}
