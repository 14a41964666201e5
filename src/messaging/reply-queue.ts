import { randomUUID } from 'node:crypto';
import type { Channel, ConsumeMessage } from 'amqplib';
import { toDelivery } from './delivery.js';
import type { Delivery } from './delivery.js';
import type { MessagingLogger } from './logger.js';

/** A fresh reply queue name for this process: `${prefix}.reply.<uuid>`. */
export function replyQueueName(prefix: string): string {
  return `${prefix}.reply.${randomUUID()}`;
}

/** Settings of a {@link ReplyQueue}. */
export interface ReplyQueueOptions {
  readonly name: string;
  readonly onMessage: (delivery: Delivery) => void;
  readonly logger: MessagingLogger;
  /** Called when the broker cancels the consumer (the queue was deleted). */
  readonly onBrokerCancel: (channel: Channel) => void;
}

/**
 * The per-process reply queue: exclusive, auto-delete, classic, consumed without acks. It
 * keeps its name across reconnects; the owner attaches it to each new consume channel.
 */
export class ReplyQueue {
  readonly name: string;
  readonly #options: ReplyQueueOptions;
  #channel: Channel | undefined;
  #ready: Promise<void> | undefined;

  constructor(options: ReplyQueueOptions) {
    this.name = options.name;
    this.#options = options;
  }

  /** Declares the queue and consumes it on `channel`; idempotent per channel. */
  attach(channel: Channel): Promise<void> {
    if (this.#channel === channel && this.#ready) return this.#ready;
    this.#channel = channel;
    this.#ready = (async () => {
      await channel.assertQueue(this.name, {
        exclusive: true,
        autoDelete: true,
        durable: false,
        // Explicit: a vhost whose default queue type is quorum cannot hold exclusive queues.
        arguments: { 'x-queue-type': 'classic' },
      });
      await channel.consume(
        this.name,
        (message) => {
          this.#onMessage(channel, message);
        },
        { noAck: true },
      );
    })();
    return this.#ready;
  }

  /** The channel closed; the next attach starts over. */
  channelLost(channel: Channel): void {
    if (this.#channel !== channel) return;
    this.#channel = undefined;
    this.#ready = undefined;
  }

  #onMessage(channel: Channel, message: ConsumeMessage | null): void {
    if (message === null) {
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
  }
}
