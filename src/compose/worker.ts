import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { maxCommandBytes } from '../contract/body-limit.js';
import type { OutgoingEvent } from '../contract/event.js';
import type { DistributionDeps } from '../distribution/distribute.js';
import { withRetry, type RetryPolicy } from '../distribution/retry.js';
import type { JobStore } from '../jobs/job-store.js';
import { jobAfterReply } from '../jobs/job-transition.js';
import type { Broker } from '../messaging/broker.js';
import type { Metrics } from '../metrics.js';
import type { ErrorInfo } from '../errors.js';
import type { Delivery } from '../messaging/broker.js';
import { handleDeadLetter, parkedMessage } from '../worker/dead-letters.js';
import { OutcomeLedger } from '../worker/outcome-ledger.js';
import { processCommand, type WorkerDeps } from '../worker/process-command.js';
import { brokerPublishers } from '../worker/publishers.js';
import type { Closers } from './closers.js';

// A few seconds: rides out a Redis failover or reconnect without holding the command long.
const STORE_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 2000 };

/**
 * Starts the worker role: consumes commands and counts what it did. With a shared job
 * store, it writes each job's status there before replying, so the outcome outlives a
 * reply queue that is gone. On shutdown it stops taking commands at once and lets running
 * ones finish within the grace.
 */
export async function startWorker(
  config: Config,
  logger: Logger,
  broker: Broker,
  distribution: DistributionDeps,
  metrics: Metrics,
  closers: Closers,
  jobStore?: JobStore,
  extra: Partial<Pick<WorkerDeps, 'reportOpencastJob'>> = {},
): Promise<void> {
  const publishers = brokerPublishers(broker, (outgoing) => {
    metrics.eventPublished(
      outgoing.routingKey,
      outgoing.event.data.durationMs,
      writtenBytes(outgoing),
    );
  });
  const sendReply: WorkerDeps['sendReply'] =
    jobStore === undefined
      ? publishers.sendReply
      : async (replyTo, correlationId, reply) => {
          // A progress report reaches the record through the API process's reply queue
          // only: one store write per report, and a report must stay cheap.
          if (reply.progress !== undefined) {
            await publishers.sendReply(replyTo, correlationId, reply);
            return;
          }
          // Only records an API created are updated: the store is not this job's only
          // channel, so a store that fails costs a log line, never the command.
          await withRetry(
            () => jobStore.update(reply.jobId, (current) => jobAfterReply(current, reply)),
            STORE_RETRY,
          ).catch((err: unknown) => {
            logger.warn({ err, jobId: reply.jobId }, 'could not record the job status');
          });
          await publishers.sendReply(replyTo, correlationId, reply);
        };
  const deps: WorkerDeps = {
    distribution,
    publishEvent: publishers.publishEvent,
    sendReply,
    maxCommandBytes: maxCommandBytes(config.maxBodyBytes),
    clock: () => new Date(),
    logger,
    progress:
      config.progressIntervalMs === 0
        ? undefined
        : { intervalMs: config.progressIntervalMs, publish: publishers.publishProgress },
    ...extra,
    outcomes: new OutcomeLedger(),
  };
  const park = (delivery: Delivery) => async (error: ErrorInfo) => {
    const { body, properties } = parkedMessage(delivery, error);
    await broker.park(body, properties);
  };
  const consumer = await broker.consumeCommands({
    prefetch: config.amqp.concurrency,
    handler: async (delivery, signal) => {
      try {
        const parking = { done: false };
        const disposition = await processCommand(
          delivery,
          {
            ...deps,
            park: async (error) => {
              await park(delivery)(error);
              parking.done = true;
            },
          },
          signal,
        );
        // A command the worker parked itself is acknowledged, but counts as dead-lettered.
        metrics.commandHandled(parking.done ? 'dead-letter' : disposition);
        return disposition;
      } catch (error) {
        metrics.commandHandled('error');
        throw error;
      }
    },
  });
  // What the broker dead-letters (a command over its delivery limit) ends its job here and
  // moves on to the parking queue with its reason.
  await broker.consumeQueue(broker.names.deadLetterQueue, {
    prefetch: 1,
    handler: (delivery, signal) =>
      handleDeadLetter(
        delivery,
        {
          ...deps,
          workQueue: broker.names.workQueue,
          parkMessage: ({ body, properties }) => broker.park(body, properties),
        },
        signal,
      ),
  });
  let draining: Promise<void> | undefined;
  const drain = (): Promise<void> =>
    (draining ??= consumer.cancel({ graceMs: config.shutdownGraceMs }));
  closers.atStart(() => {
    drain().catch((err: unknown) => {
      logger.error({ err }, 'error stopping the command consumer');
    });
  });
  closers.push(drain);
  logger.info({ concurrency: config.amqp.concurrency }, 'worker consuming commands');
}

/** Bytes a completed distribution wrote (0 for other events). */
function writtenBytes({ event }: OutgoingEvent): number {
  if (event.data.operation !== 'distribute' || event.data.error !== undefined) return 0;
  return event.data.elements.reduce((sum, element) => sum + element.size, 0);
}
