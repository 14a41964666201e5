import type { Channel } from 'amqplib';
import { AppError } from '../errors.js';

/** Names of every exchange and durable queue the service declares under one prefix. */
export interface TopologyNames {
  /** Direct exchange that commands are published to. */
  readonly commandsExchange: string;
  /** Quorum queue the workers consume commands from. */
  readonly workQueue: string;
  /** Fanout exchange the work queue dead-letters to. */
  readonly deadLetterExchange: string;
  /**
   * Quorum queue bound to {@link deadLetterExchange}: what the broker dead-letters (a
   * command over its delivery limit) waits here for a worker, which announces the failure
   * and moves it to {@link parkingQueue} with the reason in its headers.
   */
  readonly deadLetterQueue: string;
  /** Quorum queue that keeps parked commands, with their reason, for inspection. */
  readonly parkingQueue: string;
  /** Topic exchange completion events are published to. */
  readonly eventsExchange: string;
  /**
   * Quorum queue of job status reports for Opencast's service registry (declared only in
   * Opencast mode): workers report there instead of to a requester's reply queue, so that a
   * final status survives a crash of any process until the registry has it.
   */
  readonly opencastJobsQueue: string;
}

/** Tuning of the declared topology. */
export interface TopologyOptions {
  /**
   * Deliveries after the first before RabbitMQ dead-letters a message (x-delivery-limit),
   * from 1 to {@link MAX_DELIVERY_LIMIT}.
   */
  readonly deliveryLimit: number;
  /** Declare {@link TopologyNames.opencastJobsQueue} too (Opencast mode). Default false. */
  readonly opencastJobs?: boolean | undefined;
}

/** Largest x-delivery-limit the service declares (AMQP_DELIVERY_LIMIT checks against it). */
export const MAX_DELIVERY_LIMIT = 1000;

/** Routing keys that bind the work queue to the commands exchange. */
export const COMMAND_ROUTING_KEYS = ['distribute', 'retract'] as const;

/**
 * What a name prefix may be: the one rule that AMQP_PREFIX and direct callers are checked
 * against. Queue and exchange names are AMQP short strings (255 bytes); the reply queue
 * adds 43 characters to the prefix.
 */
export const AMQP_PREFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
/** {@link AMQP_PREFIX_PATTERN} in words, for error messages. */
export const AMQP_PREFIX_RULE =
  'use 1-200 characters of letters, digits, . _ : -, starting with a letter or digit';

/**
 * Derives the topology names from a prefix such as `ocs3`. Throws INVALID_INPUT for a
 * prefix that does not match {@link AMQP_PREFIX_PATTERN}.
 */
export function topologyNames(prefix: string): TopologyNames {
  if (!AMQP_PREFIX_PATTERN.test(prefix)) {
    throw new AppError(
      'INVALID_INPUT',
      `Invalid messaging prefix ${JSON.stringify(prefix.slice(0, 50))}: ${AMQP_PREFIX_RULE}`,
    );
  }
  return Object.freeze({
    commandsExchange: `${prefix}.commands`,
    workQueue: `${prefix}.work`,
    deadLetterExchange: `${prefix}.dead`,
    deadLetterQueue: `${prefix}.dead-letters`,
    parkingQueue: `${prefix}.parked`,
    eventsExchange: `${prefix}.events`,
    opencastJobsQueue: `${prefix}.opencast-jobs`,
  });
}

/** The arguments of the work queue; a re-declaration must use exactly these. */
export function workQueueArguments(
  names: TopologyNames,
  options: TopologyOptions,
): Record<string, string | number> {
  return {
    'x-queue-type': 'quorum',
    // RabbitMQ 3.10 quorum queues have no default limit: a failing command would loop.
    'x-delivery-limit': options.deliveryLimit,
    'x-dead-letter-exchange': names.deadLetterExchange,
    // At-least-once dead-lettering needs reject-publish overflow (RabbitMQ 3.10+).
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
}

/**
 * The arguments of the Opencast job status queue. Its consumer retries a registry that does
 * not answer and then requeues, so the delivery limit is only a last resort against a
 * message that crashes every consumer; it parks such a message.
 */
export function opencastJobsQueueArguments(names: TopologyNames): Record<string, string | number> {
  return { ...workQueueArguments(names, { deliveryLimit: MAX_DELIVERY_LIMIT }) };
}

/** The arguments of the parking queue. */
export function parkingQueueArguments(): Record<string, string> {
  return { 'x-queue-type': 'quorum' };
}

/**
 * The arguments of the dead-letter queue. Its consumer only announces and moves a message;
 * one that keeps crashing it goes on to the parking queue, without a reason header, after
 * the largest delivery limit (through the default exchange: no loop back to this queue).
 */
export function deadLetterQueueArguments(names: TopologyNames): Record<string, string | number> {
  return {
    'x-queue-type': 'quorum',
    'x-delivery-limit': MAX_DELIVERY_LIMIT,
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': names.parkingQueue,
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
}

/**
 * Declares exchanges, queues and bindings. Idempotent while the arguments match; a
 * mismatch makes RabbitMQ close the channel with 406 PRECONDITION_FAILED, which rejects.
 */
export async function declareTopology(
  ch: Channel,
  names: TopologyNames,
  options: TopologyOptions,
): Promise<void> {
  await ch.assertExchange(names.commandsExchange, 'direct', { durable: true });
  await ch.assertExchange(names.eventsExchange, 'topic', { durable: true });
  await ch.assertExchange(names.deadLetterExchange, 'fanout', { durable: true });
  await ch.assertQueue(names.parkingQueue, { durable: true, arguments: parkingQueueArguments() });
  await ch.assertQueue(names.deadLetterQueue, {
    durable: true,
    arguments: deadLetterQueueArguments(names),
  });
  await ch.bindQueue(names.deadLetterQueue, names.deadLetterExchange, '');
  // Releases before issue 8 bound the parking queue itself; a parked copy without a reason
  // and without its announcement is what the dead-letter queue replaces.
  await ch.unbindQueue(names.parkingQueue, names.deadLetterExchange, '');
  await ch.assertQueue(names.workQueue, {
    durable: true,
    arguments: workQueueArguments(names, options),
  });
  for (const key of COMMAND_ROUTING_KEYS) {
    await ch.bindQueue(names.workQueue, names.commandsExchange, key);
  }
  if (options.opencastJobs === true) {
    await ch.assertQueue(names.opencastJobsQueue, {
      durable: true,
      arguments: opencastJobsQueueArguments(names),
    });
  }
}

/**
 * Deletes the queues (with their messages) and exchanges of a topology. Names that do not
 * exist are no error. Meant for tests and teardown tools, never for the running service.
 */
export async function deleteTopology(ch: Channel, names: TopologyNames): Promise<void> {
  await ch.deleteQueue(names.workQueue);
  await ch.deleteQueue(names.parkingQueue);
  await ch.deleteQueue(names.deadLetterQueue);
  await ch.deleteQueue(names.opencastJobsQueue);
  await ch.deleteExchange(names.commandsExchange);
  await ch.deleteExchange(names.eventsExchange);
  await ch.deleteExchange(names.deadLetterExchange);
}
