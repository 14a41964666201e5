import type { Logger } from 'pino';
import type { Config } from '../config.js';
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
    url: config.amqp.url,
    prefix: config.amqp.prefix,
    deliveryLimit: config.amqp.deliveryLimit,
    maxBodyBytes: maxCommandBytes(config.maxBodyBytes),
    // Opencast mode: the durable queue of job status reports for the registry.
    opencastJobs: config.opencast !== undefined,
    logger,
  });
  closers.push(() => broker.close({ graceMs: config.shutdownGraceMs }));
  return broker;
}
