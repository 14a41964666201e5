import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { AppError, toErrorInfo } from '../errors.js';
import { maxCommandBytes } from '../contract/body-limit.js';
import { Broker } from '../messaging/broker.js';
import type { Closers } from './closers.js';

/** Connects to RabbitMQ (declaring the topology); closing drains within the grace time. */
export async function connectBroker(
  config: Config,
  logger: Logger,
  closers: Closers,
): Promise<Broker> {
  const broker = await Broker.connect({
    url: config.amqp.urls,
    prefix: config.amqp.prefix,
    deliveryLimit: config.amqp.deliveryLimit,
    confirmTimeoutMs: config.amqp.confirmTimeoutMs,
    lease: config.amqp.lease,
    maxBodyBytes: maxCommandBytes(config.maxBodyBytes),
    // Opencast mode: the durable queue of job status reports for the registry.
    opencastJobs: config.opencast !== undefined,
    replyQueueExpiresMs: config.amqp.replyQueueExpiresMs,
    logger,
  }).catch((error: unknown) => {
    throw brokerStartError(error);
  });
  closers.push(() => broker.close({ graceMs: config.shutdownGraceMs }));
  return broker;
}

/**
 * The start's broker failure, naming the setting to check: the process has no broker to
 * work with, and the person reading the last log line should not have to guess why.
 */
export function brokerStartError(error: unknown): AppError {
  const info = toErrorInfo(error);
  return new AppError(
    info.code === 'INTERNAL' ? 'BROKER_UNAVAILABLE' : info.code,
    `Cannot reach RabbitMQ as AMQP_URL says: ${info.message}. Start RabbitMQ there, or set ` +
      'AMQP_URL to where it runs (amqp://user:password@host:5672; the nodes of a cluster ' +
      'comma-separated)',
    { cause: error },
  );
}
