import { AppError } from '../errors.js';
import type { LeaseSettings } from './lease-keeper.js';
import type { MessagingLogger } from './logger.js';
import { MAX_DELIVERY_LIMIT, topologyNames } from './topology.js';

/** Settings of {@link Broker.connect}. */
export interface BrokerOptions {
  /**
   * `amqp://` or `amqps://` URL, credentials included, or several: the nodes of one
   * cluster, tried in turn on connect and on every reconnect. Never logged as is.
   */
  url: string | readonly string[];
  /** Prefix of every exchange and queue name, e.g. `ocs3`. */
  prefix: string;
  /** x-delivery-limit of the work queue, from 1 to {@link MAX_DELIVERY_LIMIT}. */
  deliveryLimit: number;
  /** Declare the Opencast job status queue as well (Opencast mode). Default false. */
  opencastJobs?: boolean;
  logger: MessagingLogger;
  /** How long a publish may wait for the broker's confirm. Default 10 s. */
  confirmTimeoutMs?: number;
  /** How long the first connection may take before `connect` rejects. Default 10 s. */
  connectTimeoutMs?: number;
  /**
   * Largest body published (command handlers check their own limit), at most {@link MAX_MESSAGE_BYTES}.
   * Default 32 MiB; keep it within the broker's `max_message_size` (128 MiB on RabbitMQ
   * 3.10, 16 MiB on 4.x).
   */
  maxBodyBytes?: number;
  /** First reconnect delay; doubles up to `reconnectMaxDelayMs`. Default 200 ms. */
  reconnectInitialDelayMs?: number;
  /** Longest reconnect delay. Default 10 s. */
  reconnectMaxDelayMs?: number;
  /**
   * How long the broker keeps this process's reply queue once nothing consumes it
   * (`x-expires`): it rides out reconnects shorter than this and disappears by itself when
   * the process is gone. Default 60 s; must exceed `reconnectMaxDelayMs`.
   */
  replyQueueExpiresMs?: number;
  /**
   * Hand commands that run longer than `handoverAfterMs` over to a lease before RabbitMQ's
   * consumer timeout (docs/messages.md). Unset: no handover (the consumer timeout applies).
   */
  lease?: LeaseSettings | undefined;
}

/** Largest `maxBodyBytes`: RabbitMQ's own ceiling for `max_message_size` (512 MiB). */
export const MAX_MESSAGE_BYTES = 2 ** 29;

/** {@link BrokerOptions} with defaults applied, validated. */
export type ResolvedBrokerOptions = Readonly<
  Required<Omit<BrokerOptions, 'url' | 'lease'>> & {
    lease: LeaseSettings | undefined;
    /** At least one URL, in the order given. */
    urls: readonly string[];
    /** Shown in the RabbitMQ management UI. */
    connectionName: string;
  }
>;

function positiveInteger(name: string, value: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new AppError('INVALID_INPUT', `${name} must be an integer from 1 to ${max}`);
  }
  return value;
}

/** Applies defaults and validates; throws INVALID_INPUT naming the bad option. */
export function resolveBrokerOptions(
  options: BrokerOptions,
  connectionName: string,
): ResolvedBrokerOptions {
  const urls = typeof options.url === 'string' ? [options.url] : [...options.url];
  if (urls.length === 0) throw new AppError('INVALID_INPUT', 'url must name at least one broker');
  for (const url of urls) redactUrl(url);
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
    urls: Object.freeze(urls),
    prefix: options.prefix,
    deliveryLimit: positiveInteger('deliveryLimit', options.deliveryLimit, MAX_DELIVERY_LIMIT),
    opencastJobs: options.opencastJobs ?? false,
    logger: options.logger,
    confirmTimeoutMs: positiveInteger('confirmTimeoutMs', options.confirmTimeoutMs ?? 10_000, hour),
    connectTimeoutMs: positiveInteger('connectTimeoutMs', options.connectTimeoutMs ?? 10_000, hour),
    maxBodyBytes: positiveInteger(
      'maxBodyBytes',
      options.maxBodyBytes ?? 32 * 1024 * 1024,
      MAX_MESSAGE_BYTES,
    ),
    reconnectInitialDelayMs: positiveInteger(
      'reconnectInitialDelayMs',
      options.reconnectInitialDelayMs ?? 200,
      hour,
    ),
    reconnectMaxDelayMs,
    connectionName,
    replyQueueExpiresMs,
    lease: resolveLease(options.lease, reconnectMaxDelayMs),
  });
}

function resolveLease(
  lease: LeaseSettings | undefined,
  reconnectMaxDelayMs: number,
): LeaseSettings | undefined {
  if (lease === undefined) return undefined;
  const day = 86_400_000;
  const settings = {
    handoverAfterMs: positiveInteger('lease.handoverAfterMs', lease.handoverAfterMs, day),
    checkIntervalMs: positiveInteger('lease.checkIntervalMs', lease.checkIntervalMs, day),
    expiresMs: positiveInteger('lease.expiresMs', lease.expiresMs, day),
  };
  // A holder cut off during an ordinary reconnect must not lose its lease.
  if (settings.expiresMs <= reconnectMaxDelayMs) {
    throw new AppError('INVALID_INPUT', 'lease.expiresMs must be greater than reconnectMaxDelayMs');
  }
  return Object.freeze(settings);
}

/**
 * The URL without credentials or query, for logs. Throws INVALID_INPUT for anything that is
 * not an amqp(s) URL.
 */
export function redactUrl(url: string): string {
  const problem = amqpUrlProblem(url);
  if (problem !== undefined) throw new AppError('INVALID_INPUT', `broker url ${problem}`);
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/**
 * Why `url` is no broker URL (`is not a valid URL`, `must start with ...`), or undefined
 * when it is one. The one check behind AMQP_URL and {@link redactUrl}. The reason never
 * repeats the URL: it carries the password.
 */
export function amqpUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // No cause kept: Node's URL error carries the input, credentials included.
    return 'is not a valid URL';
  }
  if (parsed.protocol !== 'amqp:' && parsed.protocol !== 'amqps:') {
    return 'must start with amqp:// or amqps://';
  }
  return undefined;
}
