/**
 * Starts the service from its configuration: the roles the configuration asks for, built
 * by `src/compose/`. Used by `main.ts` and by the integration tests, which start the real
 * thing in-process. Only wires: building each part lives in its role builder.
 */
import type { Logger } from 'pino';
import { connectBroker } from './compose/broker.js';
import { logOpencastCfg } from './compose/cfg-report.js';
import { Closers } from './compose/closers.js';
import { buildDistributionDeps } from './compose/distribution.js';
import { apiJobStore, buildSharedJobStore } from './compose/job-store.js';
import { startApi } from './compose/api.js';
import { startOps } from './compose/ops.js';
import { opencastReports, startOpencastJobs } from './compose/opencast-jobs.js';
import {
  buildOpencastCluster,
  primeClusterHosts,
  startOpencastCluster,
  type OpencastCluster,
} from './compose/opencast-membership.js';
import { cached, readiness } from './compose/readiness.js';
import { buildStorage } from './compose/storage.js';
import { startWorker } from './compose/worker.js';
import type { Config } from './config.js';
import type { Broker } from './messaging/broker.js';
import { createMetrics } from './metrics.js';

/** A started service. */
export interface RunningService {
  /** Base URL of the HTTP adapter, or of health and metrics for a worker-only process. */
  readonly url: string | undefined;
  readonly broker: Broker;
  /** Opencast mode's registry client and membership; undefined in standalone mode. */
  readonly opencast: OpencastCluster | undefined;
  /**
   * Stops in order: Opencast membership (maintenance on H), HTTP, consumers (in-flight work finishes or goes back), broker, store.
   * Every call returns the same promise, also one made while closing.
   */
  close(): Promise<void>;
}

/** Starts every part the configured role runs; on a failure, stops what already started. */
export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const closers = new Closers(logger);
  logOpencastCfg(config, logger);
  try {
    const storage = await buildStorage(config, logger, closers);
    const distribution = buildDistributionDeps(config, storage, logger);
    const opencast = buildOpencastCluster(config, logger);
    const sharedJobs = await buildSharedJobStore(config, logger, closers);
    const broker = await connectBroker(config, logger, closers);
    const metrics = createMetrics();
    const checkReady = cached(2000, () => readiness(broker, storage.checkBuckets, sharedJobs));
    if (opencast !== undefined) await startOpencastJobs(opencast, logger, broker);
    if (config.runsWorker) {
      if (opencast !== undefined) await primeClusterHosts(opencast, distribution.sources, logger);
      const reports = opencast === undefined ? {} : opencastReports(broker);
      await startWorker(
        config,
        logger,
        broker,
        distribution,
        metrics,
        closers,
        sharedJobs,
        reports,
      );
    }
    const jobStore = apiJobStore(config, sharedJobs);
    const parts = {
      broker,
      distribution,
      readiness: checkReady,
      metrics,
      jobStore,
      opencast,
      signer: storage.signer,
    };
    const url = config.runsApi
      ? await startApi(config, logger, parts, closers)
      : await startOps(config, logger, parts, closers);
    // After HTTP listens (Opencast's heartbeat must find it); its drain is pushed last, so
    // it runs first on close.
    if (opencast !== undefined) startOpencastCluster(opencast, distribution.sources, closers);
    return { url, broker, opencast, close: () => closers.close() };
  } catch (error) {
    await closers.close();
    throw error;
  }
}
