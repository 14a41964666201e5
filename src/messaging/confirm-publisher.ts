import type { ConfirmChannel, Message, Options } from 'amqplib';
import { AppError } from '../errors.js';
import { describeAmqpError } from './amqp-errors.js';
import { withTimeout } from './with-timeout.js';
import { connectionStream, writeBatcher } from './write-batcher.js';

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

function unconfirmed(message: string, cause?: unknown): AppError {
  return new AppError('BROKER_UNCONFIRMED', message, { cause });
}

// amqplib's error for a basic.nack; a channel that closes with the publish unconfirmed
// gives 'channel closed' instead.
const NACKED = 'message nacked';

/**
 * Publishes on one confirm channel and resolves each publish when the broker confirms it.
 * A failure says whether the broker may have the message:
 * - BROKER_UNAVAILABLE (retryable) only when it certainly has not: the channel was closed
 *   before writing, the write buffer never drained, or the broker nacked the message.
 * - BROKER_UNCONFIRMED once the message was written but neither confirmed nor nacked (no
 *   confirm in time, the channel or connection closed meanwhile): it may be queued and run,
 *   so "try again" would run it twice. Lives as long as its channel.
 */
export class ConfirmPublisher {
  readonly #channel: ConfirmChannel;
  readonly #confirmTimeoutMs: number;
  // Insertion-ordered, so a return is matched to the oldest publish it can belong to.
  readonly #pending = new Set<PendingPublish>();
  readonly #idleWaiters: (() => void)[] = [];
  // One socket write per event-loop turn instead of one per publish (see write-batcher.ts).
  readonly #batchWrites: () => void;
  #drain: Promise<void> | undefined;
  #closed = false;
  #closeError: unknown;

  constructor(channel: ConfirmChannel, confirmTimeoutMs: number) {
    this.#channel = channel;
    this.#confirmTimeoutMs = confirmTimeoutMs;
    this.#batchWrites = writeBatcher(connectionStream(channel));
    channel.on('return', (message: Message) => {
      this.#onReturn(message);
    });
    // amqplib emits the broker's reason before 'close' (which fails the pending confirms).
    channel.on('error', (err: unknown) => {
      this.#closeError = err;
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
          unconfirmed(
            `publish to '${exchange}' not confirmed within ${this.#confirmTimeoutMs} ms; it may have arrived`,
          ),
        );
      }, this.#confirmTimeoutMs);
      this.#pending.add(entry);
      let written: boolean;
      try {
        written = this.#channel.publish(exchange, routingKey, body, options, (err: unknown) => {
          if (err === null || err === undefined) finish();
          else if (err instanceof Error && err.message === NACKED)
            finish(unavailable(`the broker refused the publish: ${describeAmqpError(err)}`, err));
          else if (this.#refusedExchange(exchange))
            finish(
              unavailable(
                `the broker refused the publish: ${describeAmqpError(this.#closeError)}`,
                this.#closeError,
              ),
            );
          else
            finish(
              unconfirmed(
                `the channel closed before the confirm; the publish may have arrived`,
                err,
              ),
            );
        });
      } catch (err) {
        // amqplib throws synchronously once the channel or connection is closing.
        finish(unavailable(`cannot publish: ${describeAmqpError(err)}`, err));
        return;
      }
      this.#batchWrites();
      if (!written) this.#awaitDrain();
    });
  }

  /** Resolves once no publish waits for a confirm (each one is bounded by its timeout). */
  idle(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Whether the channel closed because `exchange` does not exist (404 on basic.publish):
   * then no publish to it was routed, so the broker certainly has none of them.
   */
  #refusedExchange(exchange: string): boolean {
    const err = this.#closeError as { code?: unknown; message?: unknown } | undefined;
    return (
      err?.code === 404 &&
      typeof err.message === 'string' &&
      err.message.includes(`no exchange '${exchange}'`)
    );
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
