/**
 * Opencast mode's job parts (protocol §3 steps 6-8): the registry client, the job updater
 * consuming the durable Opencast job queue, the worker's status reports to that queue and
 * the HTTP adapter's job flow (async routes and dispatch).
 */
import type { Logger } from 'pino';
import type { Config, OpencastSettings } from '../config.js';
import { encodeReply } from '../contract/reply.js';
import type { CommandRequest } from '../contract/command.js';
import type { Broker } from '../messaging/broker.js';
import { OpencastJobFlow } from '../opencast-cluster/job-flow.js';
import { createJobUpdater } from '../opencast-cluster/job-updater.js';
import { RegistryClient } from '../opencast-cluster/registry-client.js';
import type { WorkerDeps } from '../worker/process-command.js';

/** Concurrent registry updates per process. */
const UPDATER_PREFETCH = 4;

/** Opencast mode's parts shared by the roles of one process. */
export interface OpencastJobs {
  readonly settings: OpencastSettings;
  readonly registry: RegistryClient;
}

/** The registry client of this host H, from OPENCAST_* settings. */
export function buildRegistryClient(settings: OpencastSettings): RegistryClient {
  return new RegistryClient({
    baseUrl: settings.url,
    username: settings.user,
    password: settings.password,
    host: settings.hostUrl,
    timeoutMs: settings.timeoutMs,
  });
}

/**
 * Builds the registry client and starts the job updater on the Opencast job queue (every
 * Opencast-mode process runs one: any of them may write any report). The broker's close
 * stops the consumer, waiting for updates in flight.
 */
export async function startOpencastJobs(
  settings: OpencastSettings,
  logger: Logger,
  broker: Broker,
): Promise<OpencastJobs> {
  const registry = buildRegistryClient(settings);
  const handler = createJobUpdater({
    registry,
    host: settings.hostUrl,
    logger: logger.child({ component: 'opencast-job-updater' }),
  });
  await broker.consumeQueue(broker.names.opencastJobsQueue, {
    prefetch: UPDATER_PREFETCH,
    handler: (delivery, signal) => handler(delivery, signal),
  });
  logger.info(
    { registry: settings.url, host: settings.hostUrl, dispatch: settings.dispatch },
    'Opencast job updater consuming',
  );
  return { settings, registry };
}

/** The worker's durable status reports of Opencast jobs, to the Opencast job queue. */
export function opencastReports(broker: Broker): Pick<WorkerDeps, 'reportOpencastJob'> {
  return {
    reportOpencastJob: (report) => {
      const { body, properties } = encodeReply(report, report.jobId);
      // The broker publishes to this queue persistent and mandatory, and awaits the confirm.
      return broker.sendReply(broker.names.opencastJobsQueue, body, properties);
    },
  };
}

/** The HTTP adapter's Opencast job flow: async routes create registry jobs, dispatch runs them. */
export function opencastRoutesDeps(
  config: Config,
  logger: Logger,
  broker: Broker,
  opencast: OpencastJobs,
  validate: (request: CommandRequest) => void,
) {
  const flow = new OpencastJobFlow({
    registry: opencast.registry,
    host: opencast.settings.hostUrl,
    dispatch: opencast.settings.dispatch,
    jobLoads: config.jobLoads,
    defaultOrganization: config.defaultOrganization,
    send: ({ routingKey, body, properties }) => broker.publishCommand(routingKey, body, properties),
    validate,
    logger: logger.child({ component: 'opencast-jobs' }),
  });
  return {
    opencastJobs: flow.submit.bind(flow),
    dispatch: (id: string) => flow.dispatch(id),
  };
}
