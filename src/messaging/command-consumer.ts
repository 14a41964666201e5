import type { Channel, ConsumeMessage } from 'amqplib';
import { AppError } from '../errors.js';
import { isDisposition, toDelivery } from './delivery.js';
import type { Delivery, Disposition } from './delivery.js';
import type { HeldLease, LeaseKeeper } from './lease-keeper.js';
import { isResumeCopy } from './lease-topology.js';
import type { MessagingLogger } from './logger.js';
import { waitAtMost } from './with-timeout.js';

/** Handles one command; resolves with what to do with the message. */
export type CommandHandler = (delivery: Delivery, signal: AbortSignal) => Promise<Disposition>;

/** Settings of a {@link CommandConsumer}. */
export interface CommandConsumerOptions {
  readonly queue: string;
  readonly prefetch: number;
  readonly handler: CommandHandler;
  readonly logger: MessagingLogger;
  /** Called when the broker cancels the consumer (its queue was deleted). */
  readonly onBrokerCancel: (channel: Channel) => void;
  /** Hands long deliveries over before the broker's consumer timeout; unset: never. */
  readonly leases?: LeaseKeeper | undefined;
}

interface InFlight {
  readonly channel: Channel;
  readonly message: ConsumeMessage;
  readonly controller: AbortController;
  settled: boolean;
  /** Fires the handover of a delivery that runs long. */
  timer?: NodeJS.Timeout;
  /** A handover in progress. */
  handing?: Promise<void>;
  /** The job's lease, once claimed (a rerun) or taken at the handover. */
  lease?: HeldLease;
  /** Set once handed over: the original is acked and the lease stands for it. */
  handedOver?: boolean;
}

// How long stop() waits for aborted handed-over jobs to give their leases up.
const LEASE_RELEASE_MS = 3_000;
// After a failed handover (broker unreachable), try again this much later.
const HANDOVER_RETRY_MS = 5_000;

interface Binding {
  readonly channel: Channel;
  consumerTag?: string;
  ready?: Promise<void>;
}

function settleOn(channel: Channel, message: ConsumeMessage, disposition: Disposition): void {
  if (disposition === 'ack') channel.ack(message);
  else channel.nack(message, false, disposition === 'requeue');
}

/**
 * Consumes the work queue with manual acks and runs a handler per delivery. Survives channel
 * loss: the owner attaches it to each new channel; deliveries of a dead channel have their
 * signal aborted and their disposition dropped (the broker redelivers them).
 */
export class CommandConsumer {
  readonly #options: CommandConsumerOptions;
  readonly #inFlight = new Set<InFlight>();
  // Every handler run, also those whose channel died, so stop() can wait for them.
  readonly #running = new Set<Promise<void>>();
  // Handed-over deliveries whose handlers still run; stop() aborts them too.
  readonly #leased = new Set<InFlight>();
  #binding: Binding | undefined;
  #stopped = false;

  constructor(options: CommandConsumerOptions) {
    this.#options = options;
  }

  /** Starts consuming on `channel`; attaching twice to the same channel is one consumer. */
  attach(channel: Channel): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#binding?.channel === channel && this.#binding.ready) return this.#binding.ready;
    const binding: Binding = { channel };
    this.#binding = binding;
    binding.ready = (async () => {
      await channel.prefetch(this.#options.prefetch);
      const ok = await channel.consume(
        this.#options.queue,
        (message) => {
          try {
            this.#onMessage(channel, message);
          } catch (err) {
            // A throw here would travel into amqplib and close the whole connection.
            this.#options.logger.error({ err }, 'command delivery not dispatched');
          }
        },
        { noAck: false },
      );
      binding.consumerTag = ok.consumerTag;
    })();
    return binding.ready;
  }

  /** The channel closed: abort its handlers and forget their deliveries. */
  channelLost(channel: Channel): void {
    if (this.#binding?.channel === channel) this.#binding = undefined;
    for (const entry of this.#inFlight) {
      if (entry.channel !== channel) continue;
      entry.settled = true;
      this.#inFlight.delete(entry);
      // The broker requeues the message for another consumer: finishing here is wasted work.
      entry.controller.abort(
        new AppError(
          'BROKER_UNAVAILABLE',
          'the channel of this delivery closed; it is redelivered',
        ),
      );
    }
  }

  /**
   * Stops taking deliveries, waits up to `graceMs` for running handlers, then aborts the
   * rest and requeues their messages. Can be called again; later calls only wait.
   */
  async stop(graceMs: number): Promise<void> {
    if (!this.#stopped) {
      this.#stopped = true;
      await this.#cancelConsumer();
    }
    if (this.#running.size > 0) await waitAtMost(Promise.allSettled(this.#running), graceMs);
    for (const entry of this.#inFlight) {
      entry.controller.abort(
        new AppError('BROKER_UNAVAILABLE', 'the consumer stopped before the handler finished'),
      );
      this.#settle(entry, 'requeue');
    }
    if (this.#leased.size > 0) {
      // Their originals are acked: give their leases up, so a resume copy runs them again.
      for (const entry of this.#leased) {
        entry.controller.abort(
          new AppError('BROKER_UNAVAILABLE', 'the consumer stopped before the handler finished'),
        );
      }
      await waitAtMost(Promise.allSettled(this.#running), LEASE_RELEASE_MS);
    }
  }

  async #cancelConsumer(): Promise<void> {
    const binding = this.#binding;
    if (binding === undefined) return;
    try {
      await binding.ready;
      if (binding.consumerTag !== undefined) await binding.channel.cancel(binding.consumerTag);
    } catch (err) {
      // A dead channel has no consumer left to cancel.
      this.#options.logger.debug({ err }, 'consumer cancel skipped');
    }
  }

  #onMessage(channel: Channel, message: ConsumeMessage | null): void {
    const log = this.#options.logger;
    if (message === null) {
      log.warn({ queue: this.#options.queue }, 'the broker cancelled the command consumer');
      this.#options.onBrokerCancel(channel);
      return;
    }
    if (this.#stopped) {
      // Arrived between basic.cancel and its reply: hand it back untouched.
      this.#apply(channel, message, 'requeue');
      return;
    }
    // Also an oversize body goes to the handler: it refuses it unread, with an event.
    const delivery = toDelivery(message);
    const entry: InFlight = { channel, message, controller: new AbortController(), settled: false };
    this.#inFlight.add(entry);
    const run = this.#run(entry, delivery);
    this.#running.add(run);
    void run.finally(() => this.#running.delete(run));
  }

  async #run(entry: InFlight, delivery: Delivery): Promise<void> {
    const log = this.#options.logger;
    const context = { messageId: delivery.messageId, deliveryCount: delivery.deliveryCount };
    const leases = this.#options.leases;
    if (leases !== undefined && (delivery.redelivered || isResumeCopy(entry.message))) {
      const verdict = await this.#consultLease(leases, entry.message, context);
      if (verdict !== 'run') {
        this.#settle(entry, verdict);
        return;
      }
      try {
        entry.lease = await leases.claim(entry.message);
      } catch (err) {
        log.warn({ ...context, err }, 'cannot claim the job lease; requeueing');
        this.#settle(entry, 'requeue');
        return;
      }
    }
    if (leases !== undefined)
      this.#scheduleHandover(leases, entry, leases.settings.handoverAfterMs);
    let disposition: Disposition = 'requeue';
    try {
      const result: unknown = await this.#options.handler(delivery, entry.controller.signal);
      if (isDisposition(result)) disposition = result;
      else log.error({ ...context, result: String(result) }, 'invalid disposition; requeueing');
    } catch (err) {
      // Requeued, so the delivery limit bounds how often a failing command comes back.
      log.error({ ...context, err }, 'command handler failed; requeueing');
    }
    clearTimeout(entry.timer);
    await entry.handing;
    const lease = entry.lease;
    // The outcome goes into the lease before the ack: a copy must never find it gone first.
    await lease?.finish(disposition);
    if (entry.handedOver === true) {
      this.#leased.delete(entry);
      log.info({ ...context, lease: lease?.key, disposition }, 'handed-over command ended');
      return;
    }
    this.#settle(entry, disposition);
  }

  /**
   * What a redelivered original or a resume copy should do, from the lease of its job:
   * run it (no lease), drop it (done, or still running elsewhere: a resume copy exists and
   * this one is re-delayed), park it, or requeue it when the broker cannot tell.
   */
  async #consultLease(
    leases: LeaseKeeper,
    message: ConsumeMessage,
    context: object,
  ): Promise<Disposition | 'run'> {
    const log = this.#options.logger;
    const copy = isResumeCopy(message);
    try {
      const state = await leases.check(message);
      if (state.kind === 'gone') return 'run';
      if (state.kind === 'running') {
        // Also a redelivered original: its holder may have died before its resume copy was
        // confirmed, so it becomes a resume copy itself rather than be dropped.
        await leases.delay(message);
        log.debug({ ...context, copy }, 'job lease held elsewhere; checked again later');
        return 'ack';
      }
      log.info({ ...context, outcome: state.outcome }, 'job lease ended; dropping the copy');
      return state.outcome;
    } catch (err) {
      log.warn({ ...context, err }, 'cannot read the job lease; requeueing');
      return 'requeue';
    }
  }

  /** Arms the handover of a delivery that is still running after `afterMs`. */
  #scheduleHandover(leases: LeaseKeeper, entry: InFlight, afterMs: number): void {
    entry.timer = setTimeout(() => {
      if (entry.settled) return;
      entry.handing = this.#handOver(leases, entry);
    }, afterMs);
  }

  async #handOver(leases: LeaseKeeper, entry: InFlight): Promise<void> {
    const log = this.#options.logger;
    const messageId = entry.message.properties.messageId as unknown;
    try {
      const claimed = entry.lease;
      let lease: HeldLease;
      if (claimed === undefined) {
        lease = await leases.handOver(entry.message);
      } else {
        await leases.delay(entry.message);
        lease = claimed;
      }
      if (entry.settled) {
        // The channel closed meanwhile: the handler was aborted and ends the claimed lease;
        // a fresh one is given up here. The original comes back and runs again.
        if (claimed === undefined) await lease.finish('requeue');
        return;
      }
      entry.lease = lease;
      entry.handedOver = true;
      this.#leased.add(entry);
      this.#settle(entry, 'ack');
      log.info({ messageId, lease: lease.key }, 'long command handed over to a lease');
    } catch (err) {
      log.warn({ err, messageId }, 'could not hand a long command over; trying again');
      if (!entry.settled) this.#scheduleHandover(leases, entry, HANDOVER_RETRY_MS);
    }
  }

  #settle(entry: InFlight, disposition: Disposition): void {
    if (entry.settled) return;
    entry.settled = true;
    this.#inFlight.delete(entry);
    this.#apply(entry.channel, entry.message, disposition);
  }

  #apply(channel: Channel, message: ConsumeMessage, disposition: Disposition): void {
    try {
      settleOn(channel, message, disposition);
    } catch (err) {
      // The channel closed meanwhile; its delivery tags are void and the broker redelivers.
      this.#options.logger.debug({ err, disposition }, 'disposition dropped: channel closed');
    }
  }
}
