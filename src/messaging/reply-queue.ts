import { randomUUID } from 'node:crypto';
import type { Channel, ConsumeMessage, Options } from 'amqplib';
import { AMQP_REPLY, amqpReplyCode } from './amqp-errors.js';
import { toDelivery } from './delivery.js';
import type { Delivery } from './delivery.js';
import type { MessagingLogger } from './logger.js';

// Replies are small and handled synchronously; this only bounds what a dead socket can hold.
const REPLY_PREFETCH = 64;

/** A fresh reply queue name for this process: `${prefix}.reply.<uuid>`. */
export function replyQueueName(prefix: string): string {
  return `${prefix}.reply.${randomUUID()}`;
}

/**
 * How a reply queue is declared; every re-declaration (after a reconnect) uses exactly this.
 *
 * Not exclusive: an exclusive queue dies with its connection, so replies sent during a
 * reconnect would be lost. Not auto-delete: that deletes the queue whenever its consumer
 * goes, e.g. with a closed channel. Durable, because RabbitMQ deprecated non-durable
 * non-exclusive queues (`transient_nonexcl_queues`, refused by default since 4.3); replies
 * are published transient, so durability costs one metadata write per process. `x-expires`
 * removes the queue once no process has consumed or declared it for `expiresMs`. Classic
 * explicitly, so that a vhost defaulting to quorum queues does not replicate throwaway replies.
 */
export function replyQueueDeclaration(expiresMs: number): Options.AssertQueue {
  return {
    durable: true,
    exclusive: false,
    autoDelete: false,
    arguments: { 'x-queue-type': 'classic', 'x-expires': expiresMs },
  };
}

/** Settings of a {@link ReplyQueue}. */
export interface ReplyQueueOptions {
  readonly name: string;
  /**
   * A fresh name, taken when the queue's node is gone (a cluster node down): the old
   * queue cannot be declared again until that node returns. Default: keep the name.
   */
  readonly rename?: (() => string) | undefined;
  /** `x-expires` of the queue, see {@link replyQueueDeclaration}. */
  readonly expiresMs: number;
  readonly onMessage: (delivery: Delivery) => void;
  readonly logger: MessagingLogger;
  /** Called when the broker cancels the consumer (the queue was deleted). */
  readonly onBrokerCancel: (channel: Channel) => void;
  /**
   * Called each time the queue is consumed again after a channel or connection loss:
   * replies sent meanwhile may be lost when the queue expired, so the owner looks again.
   */
  readonly onReattached?: (() => void) | undefined;
}

/**
 * The per-process reply queue, consumed on a channel of its own. It keeps its name and its
 * messages across channel and connection loss; the owner attaches it to each new reply
 * channel. Acked after the handler ran, so a reply pushed to a connection that died unseen
 * is delivered again rather than lost.
 */
export class ReplyQueue {
  #name: string;
  readonly #options: ReplyQueueOptions;
  #channel: Channel | undefined;
  #ready: Promise<void> | undefined;
  #deleted = false;
  #attached = 0;

  constructor(options: ReplyQueueOptions) {
    this.#name = options.name;
    this.#options = options;
  }

  /** The queue's current name, for `replyTo`: it changes if its node was lost. */
  get name(): string {
    return this.#name;
  }

  /** Declares the queue and consumes it on `channel`; idempotent per channel. */
  attach(channel: Channel): Promise<void> {
    if (this.#deleted) return Promise.resolve();
    if (this.#channel === channel && this.#ready) return this.#ready;
    this.#channel = channel;
    this.#ready = (async () => {
      await channel.prefetch(REPLY_PREFETCH);
      try {
        await channel.assertQueue(this.name, replyQueueDeclaration(this.#options.expiresMs));
      } catch (err) {
        this.#renameIfLost(err);
        throw err;
      }
      await channel.consume(
        this.name,
        (message) => {
          this.#onMessage(channel, message);
        },
        { noAck: false },
      );
      this.#attached += 1;
      if (this.#attached > 1) this.#options.onReattached?.();
    })();
    return this.#ready;
  }

  /** The channel closed; the next attach starts over. */
  channelLost(channel: Channel): void {
    if (this.#channel !== channel) return;
    this.#channel = undefined;
    this.#ready = undefined;
  }

  /**
   * Deletes the queue for good (shutdown); later attaches do nothing. Without an open
   * channel it cannot, and `x-expires` removes the queue instead. Never throws.
   */
  async delete(): Promise<void> {
    if (this.#deleted) return;
    this.#deleted = true;
    const channel = this.#channel;
    if (channel === undefined) {
      this.#options.logger.warn(
        { queue: this.name },
        'reply queue not deleted: no channel; it expires by itself',
      );
      return;
    }
    try {
      // Awaited so that its consumer exists: deleting before would race the declaration.
      await this.#ready;
      await channel.deleteQueue(this.name);
    } catch (err) {
      this.#options.logger.warn(
        { err, queue: this.name },
        'reply queue not deleted; it expires by itself',
      );
    }
  }

  /**
   * A durable classic queue lives on one node; with that node down, RabbitMQ answers its
   * declaration with 404 ("home node ... is down or inaccessible") until the node returns.
   * Replies already in it wait there; new commands name a new queue, declared on the next
   * attempt (the failed declaration closed this channel).
   */
  #renameIfLost(err: unknown): void {
    const rename = this.#options.rename;
    if (rename === undefined || amqpReplyCode(err) !== AMQP_REPLY.NOT_FOUND) return;
    const old = this.#name;
    this.#name = rename();
    this.#options.logger.warn(
      { err, queue: old, next: this.#name },
      "the reply queue's node is gone; replies still in it wait for that node; using a new reply queue",
    );
  }

  #onMessage(channel: Channel, message: ConsumeMessage | null): void {
    if (message === null) {
      if (this.#deleted) return; // our own delete cancelled the consumer
      this.#options.logger.warn({ queue: this.name }, 'the broker cancelled the reply consumer');
      this.#options.onBrokerCancel(channel);
      return;
    }
    try {
      this.#options.onMessage(toDelivery(message));
    } catch (err) {
      // A throw here would travel into amqplib and close the whole connection.
      this.#options.logger.error({ err, queue: this.name }, 'reply handler failed');
    }
    try {
      channel.ack(message);
    } catch (err) {
      // The channel closed meanwhile: the broker delivers the reply again (a duplicate).
      this.#options.logger.debug({ err, queue: this.name }, 'reply ack dropped: channel closed');
    }
  }
}
