import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { maxCommandBytes } from '../contract/body-limit.js';
import type { OutgoingEvent } from '../contract/event.js';
import type { DistributionDeps } from '../distribution/distribute.js';
import type { Broker } from '../messaging/broker.js';
import type { Metrics } from '../metrics.js';
import { processCommand, type WorkerDeps } from '../worker/process-command.js';
import { brokerPublishers } from '../worker/publishers.js';

/** Starts the worker role: consumes commands and counts what it did. */
export async function startWorker(
  config: Config,
  logger: Logger,
  broker: Broker,
  distribution: DistributionDeps,
  metrics: Metrics,
  extra: Partial<Pick<WorkerDeps, 'reportOpencastJob'>> = {},
): Promise<void> {
  const deps: WorkerDeps = {
    distribution,
    ...brokerPublishers(broker, (outgoing) => {
      metrics.eventPublished(
        outgoing.routingKey,
        outgoing.event.data.durationMs,
        writtenBytes(outgoing),
      );
    }),
    maxCommandBytes: maxCommandBytes(config.maxBodyBytes),
    clock: () => new Date(),
    logger,
    ...extra,
  };
  await broker.consumeCommands({
    prefetch: config.amqp.concurrency,
    handler: async (delivery, signal) => {
      try {
        const disposition = await processCommand(delivery, deps, signal);
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

/** Bytes a completed distribution wrote (0 for other events). */
function writtenBytes({ event }: OutgoingEvent): number {
  if (event.data.operation !== 'distribute' || event.data.error !== undefined) return 0;
  return event.data.elements.reduce((sum, element) => sum + element.size, 0);
}
