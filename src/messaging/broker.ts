import { hostname } from 'node:os';
import type { Channel } from 'amqplib';
import { AppError, isAppError } from '../errors.js';
import { describeAmqpError } from './amqp-errors.js';
import { BrokerConnection } from './broker-connection.js';
import { MAX_MESSAGE_BYTES, resolveBrokerOptions } from './broker-options.js';
import type { BrokerOptions, ResolvedBrokerOptions } from './broker-options.js';
import { CommandConsumer } from './command-consumer.js';
import type { CommandHandler } from './command-consumer.js';
import type { PublishOutcome } from './confirm-publisher.js';
import type { Delivery } from './delivery.js';
import { LeaseKeeper } from './lease-keeper.js';
import { leaseNames } from './lease-topology.js';
import { toPublishOptions } from './publish-props.js';
import type { PublishMode, PublishProps } from './publish-props.js';
import { ReplyQueue, replyQueueName } from './reply-queue.js';
import { topologyNames } from './topology.js';
import type { TopologyNames } from './topology.js';

export type { BrokerOptions } from './broker-options.js';
export type { CommandHandler } from './command-consumer.js';
export type { Delivery, Disposition } from './delivery.js';
export type { PublishProps } from './publish-props.js';

/** Stops a consumer started by {@link Broker.consumeCommands}. */
export interface ConsumerHandle {
  /** Stops deliveries, waits up to `graceMs` (default 10 s) for handlers, requeues the rest. */
  cancel(options?: { graceMs?: number }): Promise<void>;
}

const DEFAULT_GRACE_MS = 10_000;
const COMMAND: PublishMode = { persistent: true, mandatory: true };
// Events are not mandatory: an event nobody subscribed to is not an error.
const EVENT: PublishMode = { persistent: true, mandatory: false };
// Progress events are stale within seconds: not worth a disk write in subscribers' queues.
const TRANSIENT_EVENT: PublishMode = { persistent: false, mandatory: false };
// Replies are not persistent (they matter only to a live requester); mandatory so that a
// vanished requester is noticed and logged.
const REPLY: PublishMode = { persistent: false, mandatory: true };
// Reports to the Opencast job queue are the only record of a job's final status until the
// registry has it: persistent, and a return is an error, never a dropped reply.
const DURABLE_REPLY: PublishMode = { persistent: true, mandatory: true };
const PARKED: PublishMode = { persistent: true, mandatory: true };

function unavailable(message: string, cause?: unknown): AppError {
  return new AppError('BROKER_UNAVAILABLE', message, { cause });
}

/**
 * The RabbitMQ adapter: moves bytes with properties and knows nothing about commands. Once
 * connected it reconnects by itself and re-creates channels, topology, the command
 * consumer and the reply queue; while disconnected, publishing fails fast.
 */
export class Broker {
  /** The exchanges and queues this broker declares and uses. */
  readonly names: TopologyNames;
  readonly #options: ResolvedBrokerOptions;
  readonly #connection: BrokerConnection;
  readonly #leases: LeaseKeeper | undefined;
  #commands: CommandConsumer | undefined;
  #reply: ReplyQueue | undefined;
  readonly #queueConsumers = new Set<CommandConsumer>();
  #closing: Promise<void> | undefined;
  #closed = false;

  private constructor(options: ResolvedBrokerOptions) {
    this.#options = options;
    this.names = topologyNames(options.prefix);
    this.#connection = new BrokerConnection(options, this.names, {
      commands: {
        attach: async (channel) => {
          await this.#commands?.attach(channel);
        },
        // Every delivery of that channel is void (the broker redelivers it), so its handlers
        // are aborted; replies live on their own channel and are not touched.
        lost: (channel) => {
          this.#commands?.channelLost(channel);
        },
      },
      replies: {
        attach: async (channel) => {
          await this.#reply?.attach(channel);
        },
        lost: (channel) => {
          this.#reply?.channelLost(channel);
        },
      },
    });
    this.#leases =
      options.lease === undefined
        ? undefined
        : new LeaseKeeper(
            this.#connection,
            leaseNames(options.prefix),
            options.lease,
            options.logger,
          );
  }

  /**
   * Connects and declares the topology. Rejects with BROKER_UNAVAILABLE
   * when no connection succeeds within `connectTimeoutMs`, and at once (not retryable) for
   * refused credentials or a topology that exists with other arguments.
   */
  static async connect(options: BrokerOptions): Promise<Broker> {
    // Names the connection in the RabbitMQ management UI.
    const name = `${options.prefix} ${hostname()} ${String(process.pid)}`;
    const broker = new Broker(resolveBrokerOptions(options, name));
    await broker.#connection.start();
    return broker;
  }

  /** The name of this process's reply queue once opened (for operators and tests). */
  get replyQueue(): string | undefined {
    return this.#reply?.name;
  }

  /** Whether a connection is up and its publish channel open (for readiness checks). */
  isConnected(): boolean {
    return !this.#closed && this.#connection.publisher !== undefined;
  }

  /**
   * Publishes a command: persistent, mandatory, confirmed. Unroutable rejects. Rejects with
   * BROKER_UNAVAILABLE only when the broker certainly does not have it, and with
   * BROKER_UNCONFIRMED (logged) when it was written but not confirmed: it may run.
   */
  async publishCommand(routingKey: string, body: Buffer, props: PublishProps): Promise<void> {
    const exchange = this.names.commandsExchange;
    const outcome = await this.#publish(exchange, routingKey, body, props, COMMAND).catch(
      (err: unknown) => {
        if (isAppError(err) && err.code === 'BROKER_UNCONFIRMED') {
          this.#options.logger.warn(
            { err, messageId: props.messageId, routingKey },
            'command written but not confirmed; it may run',
          );
        }
        throw err;
      },
    );
    if (outcome.returned) {
      throw unavailable(
        `command '${routingKey}' routed to no queue (${outcome.returned.replyText}); is the topology declared?`,
      );
    }
  }

  /**
   * Publishes an event to the topic exchange: confirmed, not mandatory, persistent unless
   * `persistent: false` (progress events).
   */
  async publishEvent(
    routingKey: string,
    body: Buffer,
    props: PublishProps,
    options: { readonly persistent?: boolean } = {},
  ): Promise<void> {
    const mode = options.persistent === false ? TRANSIENT_EVENT : EVENT;
    await this.#publish(this.names.eventsExchange, routingKey, body, props, mode);
  }

  /**
   * Sends a reply through the default exchange, confirmed. A reply queue that no longer
   * exists resolves with a warning. `replyTo` comes from messages, so this service's own
   * work and parking queues are refused with INVALID_INPUT (a reply must not become a
   * command); other services' queues, direct reply-to included, are fine. Replies to the
   * Opencast job queue are persistent and must arrive: a return rejects.
   */
  async sendReply(replyTo: string, body: Buffer, props: PublishProps): Promise<void> {
    const own = [this.names.workQueue, this.names.parkingQueue, this.names.deadLetterQueue];
    if (own.includes(replyTo)) {
      throw new AppError('INVALID_INPUT', `replyTo must not be the queue ${replyTo}`);
    }
    const durable = replyTo === this.names.opencastJobsQueue;
    const outcome = await this.#publish('', replyTo, body, props, durable ? DURABLE_REPLY : REPLY);
    if (outcome.returned && durable) {
      throw unavailable(`the queue ${replyTo} is missing; is Opencast mode on everywhere?`);
    }
    if (outcome.returned) {
      this.#options.logger.warn(
        { replyTo, messageId: props.messageId, correlationId: props.correlationId },
        'reply queue is gone; reply dropped',
      );
    }
  }

  /**
   * Puts a message into the parking queue (persistent, mandatory, confirmed), e.g. a command
   * with its reason in `props.headers`. Resolves once the broker has it; a missing parking
   * queue rejects.
   */
  async park(body: Buffer, props: PublishProps): Promise<void> {
    const queue = this.names.parkingQueue;
    // The broker took this body once already: the command size limit does not apply.
    const outcome = await this.#publish('', queue, body, props, PARKED, MAX_MESSAGE_BYTES);
    if (outcome.returned) throw unavailable(`the queue ${queue} is missing`);
  }

  /**
   * Starts the command consumer: manual acks, at most `prefetch` unacked deliveries. A
   * handler that throws gets its message requeued (bounded by the delivery limit). The
   * consumer is re-created after every reconnect until cancelled. One at a time.
   */
  async consumeCommands(options: {
    prefetch: number;
    handler: CommandHandler;
  }): Promise<ConsumerHandle> {
    if (this.#closing) throw unavailable('the broker is closed');
    if (this.#commands) throw new AppError('INTERNAL', 'commands are already being consumed');
    const { prefetch } = options;
    if (!Number.isSafeInteger(prefetch) || prefetch < 1 || prefetch > 65_535) {
      throw new AppError('INVALID_INPUT', 'prefetch must be an integer from 1 to 65535');
    }
    const consumer = new CommandConsumer({
      queue: this.names.workQueue,
      prefetch,
      handler: options.handler,
      logger: this.#options.logger,
      leases: this.#leases,
      onBrokerCancel: (channel: Channel) => {
        this.#connection.recycle(channel);
      },
    });
    this.#commands = consumer;
    const channel = this.#connection.consumeChannel('commands');
    if (channel) {
      try {
        await consumer.attach(channel);
      } catch (err) {
        this.#commands = undefined;
        throw unavailable(`cannot consume ${this.names.workQueue}: ${describeAmqpError(err)}`, err);
      }
    }
    return {
      cancel: async (cancelOptions) => {
        if (this.#commands === consumer) this.#commands = undefined;
        await consumer.stop(cancelOptions?.graceMs ?? DEFAULT_GRACE_MS);
      },
    };
  }

  /**
   * Consumes another queue of this service's topology (e.g. the Opencast job queue) on a
   * channel of its own, like the command consumer: manual acks, at most `prefetch`
   * unacked deliveries, re-created after every reconnect until cancelled.
   */
  async consumeQueue(
    queue: string,
    options: { prefetch: number; handler: CommandHandler },
  ): Promise<ConsumerHandle> {
    if (this.#closing) throw unavailable('the broker is closed');
    const consumer = new CommandConsumer({
      queue,
      prefetch: options.prefetch,
      handler: options.handler,
      logger: this.#options.logger,
      onBrokerCancel: (channel: Channel) => {
        this.#connection.recycle(channel);
      },
    });
    this.#queueConsumers.add(consumer);
    try {
      await this.#connection.addRole(`queue:${queue}`, {
        attach: (channel) => consumer.attach(channel),
        lost: (channel) => {
          consumer.channelLost(channel);
        },
      });
    } catch (err) {
      this.#queueConsumers.delete(consumer);
      throw unavailable(`cannot consume ${queue}: ${describeAmqpError(err)}`, err);
    }
    return {
      cancel: async (cancelOptions) => {
        this.#queueConsumers.delete(consumer);
        await consumer.stop(cancelOptions?.graceMs ?? DEFAULT_GRACE_MS);
        await this.#connection.removeRole(`queue:${queue}`);
      },
    };
  }

  /**
   * Declares this process's reply queue (`${prefix}.reply.<uuid>`, see
   * `replyQueueDeclaration`) and consumes it on a channel of its own. The queue outlives
   * channel and connection loss (replies wait in it) and is declared again under the same
   * name; `close()` deletes it, and `x-expires` does if the process dies. Resolves with the
   * name to put in `replyTo`. One per broker. `onReattached` runs each time it is consumed
   * again after a loss (a queue that expired meanwhile lost the replies sent to it).
   */
  async openReplyQueue(
    onMessage: (delivery: Delivery) => void,
    onReattached?: () => void,
  ): Promise<string> {
    if (this.#closing) throw unavailable('the broker is closed');
    if (this.#reply) throw new AppError('INTERNAL', 'the reply queue is already open');
    const reply = new ReplyQueue({
      name: replyQueueName(this.#options.prefix),
      rename: () => replyQueueName(this.#options.prefix),
      expiresMs: this.#options.replyQueueExpiresMs,
      onMessage,
      onReattached,
      logger: this.#options.logger,
      onBrokerCancel: (channel: Channel) => {
        this.#connection.recycle(channel);
      },
    });
    this.#reply = reply;
    const channel = this.#connection.consumeChannel('replies');
    if (channel) {
      try {
        await reply.attach(channel);
      } catch (err) {
        this.#reply = undefined;
        throw unavailable(`cannot open the reply queue: ${describeAmqpError(err)}`, err);
      }
    }
    return reply.name;
  }

  /**
   * The reply queue's name as of now (see {@link openReplyQueue}); it changes when the
   * cluster node the queue lived on is lost. Undefined before the queue is opened.
   */
  get replyQueueName(): string | undefined {
    return this.#reply?.name;
  }

  /**
   * Shuts down in order: cancel the command consumer, wait up to `graceMs` (default 10 s)
   * for running handlers, abort the rest (their messages are requeued), delete the reply
   * queue, wait for pending confirms, close channels and connection. Idempotent: every call
   * gets the same promise.
   */
  close(options?: { graceMs?: number }): Promise<void> {
    this.#closing ??= this.#close(options?.graceMs ?? DEFAULT_GRACE_MS);
    return this.#closing;
  }

  async #close(graceMs: number): Promise<void> {
    // Publishing stays open while handlers drain: they still send events and replies.
    const consumers = [...this.#queueConsumers];
    if (this.#commands) consumers.push(this.#commands);
    await Promise.all(consumers.map((consumer) => consumer.stop(graceMs)));
    this.#closed = true;
    // After the handlers: a worker in this process may still reply to it while draining.
    await this.#reply?.delete();
    await this.#connection.close();
    this.#options.logger.info({ endpoint: this.#connection.endpoint }, 'broker connection closed');
  }

  async #publish(
    exchange: string,
    routingKey: string,
    body: Buffer,
    props: PublishProps,
    mode: PublishMode,
    maxBodyBytes = this.#options.maxBodyBytes,
  ): Promise<PublishOutcome> {
    const options = toPublishOptions(routingKey, body, props, mode, maxBodyBytes);
    if (this.#closed) throw unavailable('the broker is closed');
    const publisher = this.#connection.publisher;
    if (!publisher)
      throw unavailable(`not connected to the broker at ${this.#connection.endpoint}`);
    if (this.#connection.blocked)
      throw unavailable('the broker blocks publishing (resource alarm)');
    return publisher.publish(exchange, routingKey, body, options);
  }
}
