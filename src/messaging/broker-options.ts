import { AppError } from '../errors.js';
import type { MessagingLogger } from './logger.js';
import { topologyNames } from './topology.js';

/** Settings of {@link Broker.connect}. */
export interface BrokerOptions {
  /** `amqp://` or `amqps://` URL, credentials included. Never logged as is. */
  url: string;
  /** Prefix of every exchange and queue name, e.g. `ocs3`. */
  prefix: string;
  /** x-delivery-limit of the work queue. */
  deliveryLimit: number;
  logger: MessagingLogger;
  /** How long a publish may wait for the broker's confirm. Default 10 s. */
  confirmTimeoutMs?: number;
  /** How long the first connection may take before `connect` rejects. Default 10 s. */
  connectTimeoutMs?: number;
  /** Declare exchanges, queues and bindings on every (re)connect. Default true. */
  declareTopology?: boolean;
  /**
   * Largest body published (command handlers check their own limit). Default 32 MiB; keep
   * it within the broker's `max_message_size` (128 MiB on RabbitMQ 3.10, 16 MiB on 4.x).
   */
  maxBodyBytes?: number;
  /** First reconnect delay; doubles up to `reconnectMaxDelayMs`. Default 200 ms. */
  reconnectInitialDelayMs?: number;
  /** Longest reconnect delay. Default 10 s. */
  reconnectMaxDelayMs?: number;
  /** Shown in the RabbitMQ management UI. Default `${prefix} <hostname> <pid>`. */
  connectionName?: string;
  /**
   * How long the broker keeps this process's reply queue once nothing consumes it
   * (`x-expires`): it rides out reconnects shorter than this and disappears by itself when
   * the process is gone. Default 60 s; must exceed `reconnectMaxDelayMs`.
   */
  replyQueueExpiresMs?: number;
}

/** {@link BrokerOptions} with defaults applied, validated. */
export type ResolvedBrokerOptions = Readonly<Required<BrokerOptions>>;

function positiveInteger(name: string, value: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new AppError('INVALID_INPUT', `${name} must be an integer from 1 to ${max}`);
  }
  return value;
}

/** Applies defaults and validates; throws INVALID_INPUT naming the bad option. */
export function resolveBrokerOptions(
  options: BrokerOptions,
  defaultConnectionName: string,
): ResolvedBrokerOptions {
  redactUrl(options.url);
  topologyNames(options.prefix);
  const hour = 3_600_000;
  const reconnectMaxDelayMs = positiveInteger(
    'reconnectMaxDelayMs',
    options.reconnectMaxDelayMs ?? 10_000,
    hour,
  );
  const replyQueueExpiresMs = positiveInteger(
    'replyQueueExpiresMs',
    options.replyQueueExpiresMs ?? 60_000,
    24 * hour,
  );
  // Otherwise an ordinary reconnect could outlast the queue and lose the replies in it.
  if (replyQueueExpiresMs <= reconnectMaxDelayMs) {
    throw new AppError(
      'INVALID_INPUT',
      'replyQueueExpiresMs must be greater than reconnectMaxDelayMs',
    );
  }
  return Object.freeze({
    url: options.url,
    prefix: options.prefix,
    deliveryLimit: positiveInteger('deliveryLimit', options.deliveryLimit, 10_000),
    logger: options.logger,
    confirmTimeoutMs: positiveInteger('confirmTimeoutMs', options.confirmTimeoutMs ?? 10_000, hour),
    connectTimeoutMs: positiveInteger('connectTimeoutMs', options.connectTimeoutMs ?? 10_000, hour),
    declareTopology: options.declareTopology ?? true,
    maxBodyBytes: positiveInteger(
      'maxBodyBytes',
      options.maxBodyBytes ?? 32 * 1024 * 1024,
      2 ** 29,
    ),
    reconnectInitialDelayMs: positiveInteger(
      'reconnectInitialDelayMs',
      options.reconnectInitialDelayMs ?? 200,
      hour,
    ),
    reconnectMaxDelayMs,
    connectionName: options.connectionName ?? defaultConnectionName,
    replyQueueExpiresMs,
  });
}

/**
 * The URL without credentials or query, for logs. Throws INVALID_INPUT for anything that is
 * not an amqp(s) URL.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // No cause: Node's URL error carries the input, credentials included.
    throw new AppError('INVALID_INPUT', 'broker url is not a valid URL');
  }
  if (parsed.protocol !== 'amqp:' && parsed.protocol !== 'amqps:') {
    throw new AppError('INVALID_INPUT', 'broker url must start with amqp:// or amqps://');
  }
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}
