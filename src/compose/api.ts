import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { decodeReply } from '../contract/reply.js';
import { createJobIdGenerator } from '../distribution/job-id.js';
import type { DistributionDeps } from '../distribution/distribute.js';
import {
  signPublishedUrls,
  type SigningRequest,
  type UrlSigner,
} from '../distribution/signed-urls.js';
import { createApp } from '../http/app.js';
import { createMediapackageParser } from '../http/mediapackage-parser.js';
import type { Readiness } from '../http/health-routes.js';
import { JobService } from '../jobs/job-service.js';
import type { JobStore } from '../jobs/job-store.js';
import type { Broker } from '../messaging/broker.js';
import type { Metrics } from '../metrics.js';
import type { Closers } from './closers.js';
import { createRequestValidator } from './request-validator.js';
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
  /** Where the API keeps its jobs (shared with workers when it is Redis). */
  readonly jobStore: JobStore;
  /** Signs handed-out URLs; undefined: signing is off. */
  readonly signer?: UrlSigner | undefined;
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
    store: parts.jobStore,
    send: ({ routingKey, body, properties }) => broker.publishCommand(routingKey, body, properties),
    // Read per command: the name changes if the queue's cluster node is lost.
    replyTo: () => broker.replyQueueName ?? replyQueue,
    newJobId: createJobIdGenerator(),
    clock: () => new Date(),
    jobUrl: (id) => `${config.http.publicUrl}/jobs/${id}`,
    jobLoad: config.jobLoad,
    maxWaiters: config.maxSyncWaiters,
    onStoreError: (err, jobId) => {
      logger.warn({ err, jobId }, 'job store failed; the caller is answered from the reply');
    },
  });
  const replyQueue = await broker.openReplyQueue(
    (delivery) => {
      const reply = decodeReply(delivery.body);
      if (reply === undefined) logger.warn('ignored a malformed reply');
      else void jobs.applyReply(reply);
    },
    // Back after an outage: replies sent while the queue had expired are lost, but a
    // worker with the shared store wrote the outcome there.
    () => void jobs.recheckWaiters(),
  );

  const { users, secret, allowBasic, metricsPublic } = config.auth;
  const parser = createMediapackageParser({ ...config.xmlParsing, limits: config.xmlLimits });
  const validate = createRequestValidator(parts.distribution, parser);
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
    signUrls: signUrlsWith(config, parts),
    // Not ready while shutting down, so that load balancers send new requests elsewhere.
    readiness: async () => {
      if (!jobs.closed) return parts.readiness();
      const { checks } = await parts.readiness();
      return { ready: false, checks: { ...checks, shutdown: 'shutting down' } };
    },
    metrics: parts.metrics,
    maxBodyBytes: config.maxBodyBytes,
    logger,
    auth: users.size === 0 ? undefined : { users, secret, allowBasic },
    metricsPublic,
  });
  if (users.size === 0) {
    logger.warn(
      'No AUTH_DIGEST_USER configured: the HTTP API accepts requests without authentication',
    );
    if (parts.signer !== undefined) {
      logger.warn('Signed URLs are configured but are handed out only to authenticated callers');
    }
  }
  const server = await listen(app.fetch, config.http.host, config.http.port);
  // Runs after the drain below: no waiting caller needs a parse any more.
  closers.push(() => parser.close());
  // Closers run in reverse, so this one runs first: new requests get 503 at once, waiting
  // sync callers keep their connections and get their answer if it comes within the grace
  // (the worker, stopped from taking new commands, finishes its running ones meanwhile);
  // those still waiting then get 504 saying the job goes on. Only then does the server
  // close, and the broker after it.
  closers.push(async () => {
    await jobs.drain(config.shutdownGraceMs);
    await closeServer(server, 2000);
  });
  closers.push(() => {
    closing = true;
    return Promise.resolve();
  });
  const url = serverUrl(server);
  logger.info({ url }, 'HTTP adapter listening');
  return url;
}

/** The signing use case over the configured signer; undefined when signing is off. */
function signUrlsWith(config: Config, parts: ApiParts) {
  const { signer } = parts;
  if (signer === undefined) return undefined;
  const deps = {
    targets: parts.distribution.targets,
    signer,
    clock: () => new Date(),
    maxValidMs: config.signing.validMs,
  };
  return (request: SigningRequest) => signPublishedUrls(deps, request);
}
