import type { Channel, Message } from 'amqplib';
import { AppError, isAppError } from '../errors.js';
import { AMQP_REPLY, amqpReplyCode } from './amqp-errors.js';
import type { ConfirmPublisher } from './confirm-publisher.js';
import { leaseKeyOf, leaseQueueDeclaration, resumeCopyOptions } from './lease-topology.js';
import type { LeaseNames } from './lease-topology.js';
import type { MessagingLogger } from './logger.js';

/** When and how often long jobs are handed over (see docs/messages.md). */
export interface LeaseSettings {
  /** A delivery still running after this long is handed over; below the consumer timeout. */
  readonly handoverAfterMs: number;
  /** TTL of a resume copy: how often a lease is checked. */
  readonly checkIntervalMs: number;
  /** `x-expires` of a lease queue: how long a lease outlives its holder (its consumer). */
  readonly expiresMs: number;
}

/**
 * How a held lease ends: `ack` (done) and `dead-letter` (park it) are written into the lease
 * for its resume copies; `requeue` gives the job up (deletes the lease), so that the next
 * copy runs it again.
 */
export type LeaseOutcome = 'ack' | 'dead-letter' | 'requeue';

/** What a lease says about its job. */
export type LeaseState =
  | { readonly kind: 'running' }
  | { readonly kind: 'gone' }
  | { readonly kind: 'settled'; readonly outcome: 'ack' | 'dead-letter' };

/** The broker access the keeper needs (a BrokerConnection). */
export interface LeaseBroker {
  /** Runs `use` on a fresh channel of the live connection and closes it. */
  withChannel<T>(use: (channel: Channel) => Promise<T>): Promise<T>;
  /** Keeps a channel for `role`, re-attached after every reconnect (BrokerConnection). */
  addRole(
    role: string,
    hooks: { attach(channel: Channel): Promise<void>; lost(channel: Channel): void },
  ): Promise<void>;
  removeRole(role: string): Promise<void>;
  readonly publisher: ConfirmPublisher | undefined;
}

function unavailable(message: string): AppError {
  return new AppError('BROKER_UNAVAILABLE', message);
}

/**
 * Hands long-running deliveries over before RabbitMQ's consumer timeout and answers what a
 * returning resume copy should do. A lease is a quorum queue with `x-expires` that its
 * holder keeps re-declaring; once the job ends, one message in it tells the outcome.
 */
export class LeaseKeeper {
  readonly settings: LeaseSettings;
  readonly #broker: LeaseBroker;
  readonly #names: LeaseNames;
  readonly #log: MessagingLogger;

  constructor(
    broker: LeaseBroker,
    names: LeaseNames,
    settings: LeaseSettings,
    log: MessagingLogger,
  ) {
    this.#broker = broker;
    this.#names = names;
    this.settings = settings;
    this.#log = log;
  }

  /**
   * Takes a lease on `message`'s job and publishes its resume copy (confirmed). Once this
   * resolves the caller may ack the original. Rejects (nothing to undo: an unused lease
   * expires) when the broker cannot take either.
   */
  async handOver(message: Message): Promise<HeldLease> {
    const key = leaseKeyOf(message);
    await this.#declare(key);
    await this.#publishCopy(message, key);
    return this.#hold(key);
  }

  /**
   * Takes the lease of a job this process is about to run again (its lease was gone): other
   * copies then find it running. An old outcome left in the queue is removed.
   */
  async claim(message: Message): Promise<HeldLease> {
    const key = leaseKeyOf(message);
    await this.#declare(key);
    await this.#broker.withChannel((channel) => channel.purgeQueue(this.#names.queue(key)));
    return this.#hold(key);
  }

  /** Publishes a fresh resume copy of `message` (a lease found running is checked again later). */
  async delay(message: Message): Promise<void> {
    await this.#publishCopy(message, leaseKeyOf(message));
  }

  /** Reads the lease of `message`'s job without renewing it. */
  async check(message: Message): Promise<LeaseState> {
    const queue = this.#names.queue(leaseKeyOf(message));
    return this.#broker.withChannel(async (channel) => {
      let messages: number;
      try {
        messages = (await channel.checkQueue(queue)).messageCount;
      } catch (err) {
        if (amqpReplyCode(err) === AMQP_REPLY.NOT_FOUND) return { kind: 'gone' } as const;
        throw err;
      }
      if (messages === 0) return { kind: 'running' } as const;
      const marker = await channel.get(queue, { noAck: false });
      if (marker === false) return { kind: 'running' } as const;
      channel.nack(marker, false, true); // stays for the other copies
      const outcome = marker.content.toString() === 'dead-letter' ? 'dead-letter' : 'ack';
      return { kind: 'settled', outcome } as const;
    });
  }

  /**
   * Holds the lease: a consumer on its queue (RabbitMQ never expires a queue that has one),
   * on a channel of its own that is opened again after every reconnect. Its `x-expires`
   * runs only while this process is cut off from the broker, or gone.
   */
  async #hold(key: string): Promise<HeldLease> {
    const queue = this.#names.queue(key);
    const role = `lease:${key}`;
    const hooks = {
      attach: async (channel: Channel) => {
        await channel.prefetch(1);
        await channel.assertQueue(queue, leaseQueueDeclaration(this.settings.expiresMs));
        // Outcomes are written only after the holder let go, so nothing arrives here.
        await channel.consume(queue, () => undefined, { noAck: false });
      },
      lost: () => undefined,
    };
    try {
      await this.#broker.addRole(role, hooks);
    } catch (err) {
      if (isAppError(err) && err.code === 'INTERNAL') {
        // Held already: another delivery of the same command runs in this process.
        return new HeldLease(this, key, () => Promise.resolve());
      }
      // Not held: forget the role, or its channel would be re-opened (and fail) forever.
      await this.#broker.removeRole(role);
      throw err;
    }
    return new HeldLease(this, key, () => this.#broker.removeRole(role));
  }

  /** Ends a lease: writes the outcome into it, or deletes it so that a resume copy runs the job. */
  async end(key: string, outcome: LeaseOutcome): Promise<void> {
    const queue = this.#names.queue(key);
    if (outcome === 'requeue') {
      await this.#broker.withChannel((channel) => channel.deleteQueue(queue));
      return;
    }
    const publisher = this.#broker.publisher;
    if (publisher === undefined) throw unavailable('not connected; cannot end the lease');
    const result = await publisher.publish('', queue, Buffer.from(outcome), {
      persistent: true,
      mandatory: true,
      messageId: `${key}:${outcome}`,
    });
    if (result.returned) throw unavailable(`the lease ${queue} expired before its job ended`);
  }

  async #declare(key: string): Promise<void> {
    const queue = this.#names.queue(key);
    await this.#broker.withChannel(async (channel) => {
      await channel.assertQueue(queue, leaseQueueDeclaration(this.settings.expiresMs));
    });
  }

  async #publishCopy(message: Message, key: string): Promise<void> {
    const publisher = this.#broker.publisher;
    if (publisher === undefined) throw unavailable('not connected; cannot hand the job over');
    const options = resumeCopyOptions(message, key, this.settings.checkIntervalMs);
    const result = await publisher.publish(
      this.#names.exchange,
      message.fields.routingKey,
      message.content,
      options,
    );
    if (result.returned) {
      throw unavailable(`no lease route for '${message.fields.routingKey}'; not handed over`);
    }
  }

  /** @internal for {@link HeldLease} */
  get log(): MessagingLogger {
    return this.#log;
  }
}

/** A lease this process holds (consumes) while its job runs, until {@link finish}. */
export class HeldLease {
  readonly key: string;
  readonly #keeper: LeaseKeeper;
  readonly #release: () => Promise<void>;

  constructor(keeper: LeaseKeeper, key: string, release: () => Promise<void>) {
    this.key = key;
    this.#keeper = keeper;
    this.#release = release;
  }

  /** Lets go of the lease and records the outcome; never throws (an unrecorded lease expires). */
  async finish(outcome: LeaseOutcome): Promise<void> {
    try {
      await this.#release();
      await this.#keeper.end(this.key, outcome);
    } catch (err) {
      this.#keeper.log.error(
        { err, lease: this.key, outcome },
        'could not record the end of a job lease; it expires and a resume copy runs the job again',
      );
    }
  }
}
