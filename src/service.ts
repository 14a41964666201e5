/**
 * Builds and starts the service from its configuration: the object store (embedded when
 * none is configured), the broker, the worker and the HTTP adapter, as the role asks. Used
 * by `main.ts` and by the integration tests, which start the real thing in-process.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createJobIdGenerator } from './distribution/job-id.js';
import type { JobReply } from './distribution/outcome.js';
import { createTargetResolver, type DistributionTarget } from './distribution/targets.js';
import { validateCommand } from './distribution/validate.js';
import { Hono } from 'hono';
import { createApp } from './http/app.js';
import { healthRoutes } from './http/health-routes.js';
import { metricsRoutes } from './http/ops-routes.js';
import type { Readiness } from './http/health-routes.js';
import { JobService } from './jobs/job-service.js';
import { MemoryJobStore } from './jobs/job-store.js';
import { Broker } from './messaging/broker.js';
import { createAvailabilityChecker } from './sources/availability.js';
import { createSourceFetcher } from './sources/source-fetcher.js';
import { ensureBucket, checkBucket } from './storage/bucket.js';
import { startEmbeddedS3 } from './storage/embedded-s3.js';
import { createS3Client } from './storage/s3-client.js';
import { S3ObjectStore } from './storage/s3-object-store.js';
import { createMetrics } from './metrics.js';
import type { OutgoingEvent } from './worker/events.js';
import { processCommand, type WorkerDeps } from './worker/process-command.js';

/** A started service. */
export interface RunningService {
  /** Base URL of the HTTP adapter, when the role runs it. */
  readonly url: string | undefined;
  readonly broker: Broker;
  /** Stops in order: HTTP, consumers (in-flight work finishes or goes back), broker, store. */
  close(): Promise<void>;
}

/** Starts every part the configured role runs. */
export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) {
      try {
        await closer();
      } catch (err) {
        logger.error({ err }, 'error during shutdown');
      }
    }
  };

  try {
    return await start(config, logger, closers, close);
  } catch (error) {
    await close();
    throw error;
  }
}

async function start(
  config: Config,
  logger: Logger,
  closers: (() => Promise<void>)[],
  close: () => Promise<void>,
): Promise<RunningService> {
  const s3 = await s3Connection(config, logger, closers);
  const client = createS3Client(s3.settings);
  closers.push(() => {
    client.destroy();
    return Promise.resolve();
  });
  const store = new S3ObjectStore(client, {
    partSizeBytes: config.s3.partSizeBytes,
    queueSize: config.s3.queueSize,
  });
  const targets = createTargetResolver(s3.orgTargets, s3.defaultTarget);
  const buckets = [
    ...new Set([...s3.orgTargets.values(), s3.defaultTarget].flatMap((t) => (t ? [t.bucket] : []))),
  ];
  if (config.s3.createBuckets && config.runsWorker) {
    for (const bucket of buckets) {
      await ensureBucket(client, bucket, { publicRead: config.s3.publicRead, logger });
    }
  }

  const sources = createSourceFetcher(config.sources);
  if (
    config.sources.allowedUrlPrefixes.length === 0 &&
    config.sources.sharedStorage.length === 0 &&
    config.sources.fileRoots.length === 0
  ) {
    logger.warn(
      'No source is allowed (SOURCE_ALLOWED_PREFIXES, SOURCE_SHARED_STORAGE, SOURCE_FILE_ROOTS): every distribute will be refused',
    );
  }

  const broker = await Broker.connect({
    url: config.amqp.url,
    prefix: config.amqp.prefix,
    deliveryLimit: config.amqp.deliveryLimit,
    // A command carries the whole mediapackage XML; leave room for the JSON around it.
    maxBodyBytes: config.maxBodyBytes * 2 + 64 * 1024,
    logger,
  });
  closers.push(() => broker.close({ graceMs: config.shutdownGraceMs }));

  const distributionDeps = {
    store,
    sources,
    availability: createAvailabilityChecker(config.availability),
    targets,
    retry: config.retry,
    xmlLimits: config.xmlLimits,
    logger,
  };

  const metrics = createMetrics();
  const checkReady = cached(2000, () => readiness(broker, () => checkBuckets(client, buckets)));

  if (config.runsWorker) {
    const workerDeps: WorkerDeps = {
      distribution: distributionDeps,
      publishEvent: async ({ routingKey, event }) => {
        await broker.publishEvent(routingKey, Buffer.from(JSON.stringify(event)), {
          messageId: event.id,
          type: event.type,
          contentType: 'application/cloudevents+json',
        });
        metrics.eventPublished(routingKey, event.data.durationMs, writtenBytes(event));
      },
      sendReply: (replyTo, correlationId, reply) =>
        broker.sendReply(replyTo, Buffer.from(JSON.stringify(reply)), {
          messageId: `${reply.jobId}:${reply.status}`,
          correlationId,
          type: 'job-reply',
        }),
      maxCommandBytes: config.maxBodyBytes * 2 + 64 * 1024,
      clock: () => new Date(),
      logger,
    };
    await broker.consumeCommands({
      prefetch: config.amqp.concurrency,
      handler: async (delivery, signal) => {
        try {
          const disposition = await processCommand(delivery, workerDeps, signal);
          metrics.commandHandled(disposition);
          return disposition;
        } catch (error) {
          metrics.commandHandled('error');
          throw error;
        }
      },
    });
    logger.info({ concurrency: config.amqp.concurrency }, 'worker consuming commands');
  }

  let url: string | undefined;
  if (config.runsApi) {
    const jobs = new JobService({
      store: new MemoryJobStore(),
      send: (command, { replyTo }) =>
        broker.publishCommand(command.type, Buffer.from(JSON.stringify(command)), {
          messageId: command.jobId,
          correlationId: command.jobId,
          replyTo,
          type: command.type,
        }),
      replyTo: () => replyQueue,
      newJobId: createJobIdGenerator(),
      clock: () => new Date(),
      jobUrl: (id) => `${config.http.publicUrl}/jobs/${id}`,
      jobLoad: config.jobLoad,
      maxWaiters: config.maxSyncWaiters,
    });
    const replyQueue = await broker.openReplyQueue((delivery) => {
      const reply = parseReply(delivery.body);
      if (reply === undefined) logger.warn('ignored a malformed reply');
      else jobs.applyReply(reply);
    });

    const app = createApp({
      jobs,
      validate: (command) => {
        validateCommand(command, distributionDeps);
      },
      syncTimeoutMs: config.syncTimeoutMs,
      defaultOrganization: config.defaultOrganization,
      readiness: checkReady,
      metrics,
      maxBodyBytes: config.maxBodyBytes,
      logger,
      auth:
        config.auth.users.size === 0
          ? undefined
          : {
              users: config.auth.users,
              secret: config.auth.secret,
              allowBasic: config.auth.allowBasic,
            },
    });
    if (config.auth.users.size === 0) {
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
    url = serverUrl(server);
    logger.info({ url }, 'HTTP adapter listening');
  } else {
    // A worker serves no API, but orchestrators and Prometheus still need to reach it.
    const ops = new Hono();
    ops.route('/', healthRoutes(checkReady));
    ops.route('/', metricsRoutes(metrics));
    const server = await listen(ops.fetch, config.http.host, config.http.port);
    closers.push(() => closeServer(server, 1000));
    url = serverUrl(server);
    logger.info({ url }, 'health and metrics listening');
  }

  return { url, broker, close };
}

async function s3Connection(
  config: Config,
  logger: Logger,
  closers: (() => Promise<void>)[],
): Promise<{
  settings: Parameters<typeof createS3Client>[0];
  defaultTarget: DistributionTarget | undefined;
  orgTargets: Map<string, DistributionTarget>;
}> {
  const { s3 } = config;
  let endpoint = s3.endpoint;
  let credentials = s3.credentials;
  let baseUrl = s3.baseUrl;
  if (s3.embedded !== undefined) {
    const embedded = await startEmbeddedS3({
      directory: s3.embedded.directory,
      host: s3.embedded.host,
      port: s3.embedded.port,
    });
    closers.push(() => embedded.close());
    endpoint = embedded.endpoint;
    credentials = { accessKeyId: embedded.accessKeyId, secretAccessKey: embedded.secretAccessKey };
    baseUrl = `${embedded.endpoint}/{bucket}/`;
    logger.warn(
      { endpoint, directory: s3.embedded.directory },
      'No S3_ENDPOINT configured: serving the embedded S3-compatible store (for trying out; use AWS S3 or MinIO in production)',
    );
  }
  const target = (bucket: string): DistributionTarget => ({
    bucket,
    baseUrl: (baseUrl ?? '').replaceAll('{bucket}', bucket),
  });
  return {
    settings: {
      region: s3.region,
      endpoint,
      forcePathStyle: s3.forcePathStyle,
      credentials,
      maxAttempts: s3.maxAttempts,
      connectionTimeoutMs: s3.connectionTimeoutMs,
      requestTimeoutMs: s3.requestTimeoutMs,
      maxSockets: s3.maxSockets,
    },
    defaultTarget: s3.bucket === undefined ? undefined : target(s3.bucket),
    orgTargets: new Map([...s3.orgBuckets].map(([org, bucket]) => [org, target(bucket)])),
  };
}

function serverUrl(server: ServerType): string {
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** Bytes a completed distribution wrote (0 for other events). */
function writtenBytes(event: OutgoingEvent['event']): number {
  if (event.data.operation !== 'distribute' || event.data.error !== undefined) return 0;
  return event.data.elements.reduce((sum, element) => sum + element.size, 0);
}

/** Remembers a result for `ms`, so frequent probes do not each reach S3. */
function cached<T>(ms: number, compute: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (last === undefined || now - last.at > ms) last = { at: now, value: compute() };
    return last.value;
  };
}

async function readiness(broker: Broker, storage: () => Promise<void>): Promise<Readiness> {
  const checks: Record<string, string> = {};
  checks.broker = broker.isConnected() ? 'ok' : 'disconnected';
  try {
    await storage();
    checks.storage = 'ok';
  } catch (error) {
    checks.storage = error instanceof Error ? error.message : String(error);
  }
  return { ready: Object.values(checks).every((v) => v === 'ok'), checks };
}

async function checkBuckets(client: ReturnType<typeof createS3Client>, buckets: string[]) {
  const signal = AbortSignal.timeout(3000);
  for (const bucket of buckets) await checkBucket(client, bucket, signal);
}

function parseReply(body: Buffer): JobReply | undefined {
  try {
    const value = JSON.parse(body.toString('utf8')) as Partial<JobReply>;
    if (
      typeof value.jobId === 'string' &&
      typeof value.time === 'string' &&
      (value.status === 'RUNNING' || value.status === 'FINISHED' || value.status === 'FAILED')
    ) {
      return value as JobReply;
    }
  } catch {
    // Falls through to undefined: a reply queue only gets what workers send.
  }
  return undefined;
}

function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  hostname: string,
  port: number,
): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, () => {
      resolve(server);
    });
    server.once('error', reject);
  });
}

/** Stops accepting; cuts connections still open after `deadlineMs`. */
function closeServer(server: ServerType, deadlineMs: number): Promise<void> {
  return new Promise((resolve) => {
    const deadline = setTimeout(() => {
      if ('closeAllConnections' in server) server.closeAllConnections();
    }, deadlineMs);
    server.close(() => {
      clearTimeout(deadline);
      resolve();
    });
    // Idle keep-alive connections would hold close() open until they time out.
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  });
}
