import type { ConfirmChannel, Message, Options } from 'amqplib';
import { AppError } from '../errors.js';
import { describeAmqpError } from './amqp-errors.js';
import { withTimeout } from './with-timeout.js';

/** How a confirmed publish ended. */
export interface PublishOutcome {
  /** Set when a mandatory message routed to no queue (basic.return before the ack). */
  readonly returned?: { readonly replyCode: number; readonly replyText: string };
}

interface PendingPublish {
  readonly exchange: string;
  readonly routingKey: string;
  readonly messageId: unknown;
  returned?: { replyCode: number; replyText: string };
}

function unavailable(message: string, cause?: unknown): AppError {
  return new AppError('BROKER_UNAVAILABLE', message, { cause });
}

/**
 * Publishes on one confirm channel and resolves each publish when the broker confirms it.
 * Every failure (nack, closed channel, no confirm in time, full write buffer that does not
 * drain) rejects with BROKER_UNAVAILABLE. Lives as long as its channel.
 */
export class ConfirmPublisher {
  readonly #channel: ConfirmChannel;
  readonly #confirmTimeoutMs: number;
  // Insertion-ordered, so a return is matched to the oldest publish it can belong to.
  readonly #pending = new Set<PendingPublish>();
  readonly #idleWaiters: (() => void)[] = [];
  #drain: Promise<void> | undefined;
  #closed = false;

  constructor(channel: ConfirmChannel, confirmTimeoutMs: number) {
    this.#channel = channel;
    this.#confirmTimeoutMs = confirmTimeoutMs;
    channel.on('return', (message: Message) => {
      this.#onReturn(message);
    });
    channel.on('close', () => {
      this.#closed = true;
    });
  }

  /** Whether the channel is gone; a closed publisher never opens again. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Publishes one message and waits for its confirm. */
  async publish(
    exchange: string,
    routingKey: string,
    body: Buffer,
    options: Options.Publish,
  ): Promise<PublishOutcome> {
    if (this.#drain !== undefined) {
      await withTimeout(this.#drain, this.#confirmTimeoutMs, () =>
        unavailable(`the broker did not read for ${this.#confirmTimeoutMs} ms (write buffer full)`),
      );
    }
    if (this.#closed) throw unavailable('the publish channel is closed');
    return new Promise<PublishOutcome>((resolve, reject) => {
      const entry: PendingPublish = { exchange, routingKey, messageId: options.messageId };
      let settled = false;
      const finish = (error?: AppError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#pending.delete(entry);
        if (this.#pending.size === 0)
          this.#idleWaiters.splice(0).forEach((wake) => {
            wake();
          });
        if (error === undefined) resolve(entry.returned ? { returned: entry.returned } : {});
        else reject(error);
      };
      const timer = setTimeout(() => {
        finish(
          unavailable(`publish to '${exchange}' not confirmed within ${this.#confirmTimeoutMs} ms`),
        );
      }, this.#confirmTimeoutMs);
      this.#pending.add(entry);
      let written: boolean;
      try {
        written = this.#channel.publish(exchange, routingKey, body, options, (err: unknown) => {
          finish(
            err === null || err === undefined
              ? undefined
              : unavailable(`the broker refused the publish: ${describeAmqpError(err)}`, err),
          );
        });
      } catch (err) {
        // amqplib throws synchronously once the channel or connection is closing.
        finish(unavailable(`cannot publish: ${describeAmqpError(err)}`, err));
        return;
      }
      if (!written) this.#awaitDrain();
    });
  }

  /** Resolves once no publish waits for a confirm (each one is bounded by its timeout). */
  idle(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #awaitDrain(): void {
    if (this.#drain !== undefined) return;
    this.#drain = new Promise<void>((resolve) => {
      const done = (): void => {
        this.#channel.off('drain', done);
        this.#channel.off('close', done);
        this.#drain = undefined;
        resolve();
      };
      this.#channel.on('drain', done);
      this.#channel.on('close', done);
    });
  }

  #onReturn(message: Message): void {
    const { exchange, routingKey, replyCode, replyText } = message.fields as Message['fields'] & {
      replyCode?: number;
      replyText?: string;
    };
    const messageId: unknown = message.properties.messageId;
    for (const entry of this.#pending) {
      const matches =
        entry.returned === undefined &&
        entry.exchange === exchange &&
        entry.routingKey === routingKey &&
        entry.messageId === messageId;
      if (matches) {
        entry.returned = { replyCode: replyCode ?? 0, replyText: replyText ?? 'unroutable' };
        return;
      }
    }
  }
}
