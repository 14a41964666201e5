/**
 * The consumer of the durable Opencast job queue (`<prefix>.opencast-jobs`): writes the
 * workers' status reports to Opencast's registry (protocol §3 step 8) and records an
 * incident for a failed job. A registry that does not answer is retried with backoff; the
 * message stays unacknowledged meanwhile and goes back to the queue after `maxWaitMs`, so a
 * final status is never lost. A job the registry no longer has (the workflow was stopped)
 * is final: the report is dropped with a log line.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { decodeReply, type JobReply } from '../contract/reply.js';
import type { Job } from '../opencast/model.js';
import type { IncidentDetail } from './registry-jobs.js';
import { reportChange } from './report-change.js';
import type { JobChange, UpdateResult } from './update-job.js';

/** The registry calls the updater makes (a RegistryClient). */
export interface JobUpdateRegistry {
  updateJob(id: string, change: JobChange): Promise<UpdateResult>;
  recordIncident(job: Job, detail: IncidentDetail): Promise<void>;
}

/** How long the updater keeps trying one delivery before handing it back to the queue. */
export interface UpdaterBackoff {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** After this long the message is requeued (far below RabbitMQ's consumer_timeout). */
  readonly maxWaitMs: number;
}

/** Default: 0.5 s doubling to 30 s, requeued after 5 minutes. */
export const UPDATER_BACKOFF: UpdaterBackoff = {
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxWaitMs: 300_000,
};

/** What the updater needs. */
export interface JobUpdaterDeps {
  readonly registry: JobUpdateRegistry;
  /** H, the host string this service is registered under. */
  readonly host: string;
  readonly logger: Logger;
  readonly backoff?: UpdaterBackoff | undefined;
  readonly clock?: (() => number) | undefined;
}

/** The parts of a delivery the updater reads. */
export interface ReportDelivery {
  readonly body: Buffer;
  readonly redelivered: boolean;
}

/** Handles one report; resolves with what to do with the message. */
export type ReportHandler = (
  delivery: ReportDelivery,
  signal: AbortSignal,
) => Promise<'ack' | 'dead-letter' | 'requeue'>;

/** The title and text of the incident of a failed job. */
export function incidentOf(report: JobReply): IncidentDetail {
  const code = report.error?.code ?? 'INTERNAL';
  return {
    title: `S3 distribution failed (${code})`,
    content: report.error?.message ?? 'The worker reported the job as failed',
  };
}

/** The handler of the Opencast job queue. */
export function createJobUpdater(deps: JobUpdaterDeps): ReportHandler {
  const backoff = deps.backoff ?? UPDATER_BACKOFF;
  const clock = deps.clock ?? Date.now;
  return async (delivery, signal) => {
    const report = decodeReply(delivery.body);
    if (report === undefined) {
      deps.logger.error('not a job status report; parked');
      return 'dead-letter';
    }
    const log = deps.logger.child({ jobId: report.jobId, status: report.status });
    const apply = applier(deps, report, delivery.redelivered, log);
    const started = clock();
    for (let attempt = 1; ; attempt++) {
      try {
        await apply();
        return 'ack';
      } catch (err) {
        if (signal.aborted) return 'requeue';
        const waited = clock() - started;
        if (waited >= backoff.maxWaitMs) {
          log.error({ err, waitedMs: waited }, 'registry update still failing; report requeued');
          return 'requeue';
        }
        const delayMs = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** (attempt - 1));
        log.warn({ err, attempt, delayMs }, 'registry update failed; trying again');
        try {
          await sleep(delayMs, undefined, { signal });
        } catch {
          return 'requeue';
        }
      }
    }
  };
}

/**
 * One report's work, resumable: a retry after the update succeeded only records the
 * incident. An incident is recorded when this delivery updated the job to FAILED, or when a
 * redelivered report finds it FAILED already (the first delivery may have died in between):
 * at least once.
 */
function applier(
  deps: JobUpdaterDeps,
  report: JobReply,
  redelivered: boolean,
  log: Logger,
): () => Promise<void> {
  let incidentFor: Job | undefined;
  let updated = false;
  return async () => {
    if (!updated) {
      const result = await deps.registry.updateJob(report.jobId, reportChange(report, deps.host));
      updated = true;
      if (result.outcome === 'missing') {
        log.info('the registry no longer has the job (workflow stopped?); report dropped');
        return;
      }
      log.info({ outcome: result.outcome, registryStatus: result.job.status }, 'job updated');
      const failedNow = result.outcome === 'updated' || redelivered;
      if (report.status === 'FAILED' && result.job.status === 'FAILED' && failedNow) {
        incidentFor = result.job;
      }
    }
    if (incidentFor !== undefined) {
      await deps.registry.recordIncident(incidentFor, incidentOf(report));
      incidentFor = undefined;
      log.info('incident recorded');
    }
  };
}
