import type { Channel, ChannelModel } from 'amqplib';
import { AppError, isAppError } from '../errors.js';
import { describeAmqpError, isConfigurationError } from './amqp-errors.js';
import { redactUrl } from './broker-options.js';
import type { ResolvedBrokerOptions } from './broker-options.js';
import { ConfirmPublisher } from './confirm-publisher.js';
import { watchConnection } from './connection-events.js';
import type { MessagingLogger } from './logger.js';
import { declareTopology } from './topology.js';
import type { TopologyNames } from './topology.js';
import { declareLeaseTopology, leaseNames } from './lease-topology.js';
import { RecoveringConnection } from './recovering-connection.js';
import { withTimeout } from './with-timeout.js';

/**
 * The consume channels: commands, replies and every other consumed queue each have their
 * own, so that a command channel the broker closes (consumer_timeout on a long upload, a
 * cancel, a channel error) leaves the other consumers running. `replies` opens first.
 */
export type ConsumeRole = string;

/** How the owner of the consumers takes part in (re)opening one consume channel. */
export interface ConsumerHooks {
  /** Starts the role's consumer, if any, on a new channel. */
  attach(channel: Channel): Promise<void>;
  /** The role's channel closed: its deliveries are void. */
  lost(channel: Channel): void;
}

/** `publish` or a {@link ConsumeRole}. */
type ChannelKind = string;
const PUBLISH: ChannelKind = 'publish';

/** Channels of one live connection; replaced wholesale on reconnect. */
interface Session {
  readonly model: ChannelModel;
  closed: boolean;
  publisher?: ConfirmPublisher;
  readonly consume: Map<ConsumeRole, Channel>;
}

// Pause before re-opening a channel the broker closed, so a persistent fault cannot spin.
const CHANNEL_REOPEN_DELAY_MS = 250;

function noop(): void {
  // Best-effort cleanup: the failure is already handled or irrelevant.
}

/**
 * One amqplib connection with opt-in recovery. After every (re)connect its setup declares
 * the topology and opens a confirm channel for publishing and one channel per
 * {@link ConsumeRole}. A channel the broker closes while the connection stays up is
 * re-opened on its own; if that fails the connection is closed so recovery starts over with
 * backoff.
 */
export class BrokerConnection {
  readonly #options: ResolvedBrokerOptions;
  readonly #names: TopologyNames;
  readonly #consumers: Map<ConsumeRole, ConsumerHooks>;
  readonly #log: MessagingLogger;
  readonly #endpoint: string;
  #model: RecoveringConnection | undefined;
  #session: Session | undefined;
  #everConnected = false;
  #blocked = false;
  #stopping = false;

  constructor(
    options: ResolvedBrokerOptions,
    names: TopologyNames,
    consumers: Readonly<Record<'commands' | 'replies', ConsumerHooks>>,
  ) {
    this.#options = options;
    this.#names = names;
    // Replies first, so that a sync caller is ready before its command can be handled.
    this.#consumers = new Map([
      ['replies', consumers.replies],
      ['commands', consumers.commands],
    ]);
    this.#log = options.logger;
    this.#endpoint = options.urls.map(redactUrl).join(',');
  }

  /** The broker URL (or URLs) without credentials, for messages. */
  get endpoint(): string {
    return this.#endpoint;
  }

  /** The URL (without credentials) of the node connected to, or tried next. */
  get node(): string | undefined {
    return this.#model?.endpoint;
  }

  /** The publisher of the live connection, if its channel is open. */
  get publisher(): ConfirmPublisher | undefined {
    const session = this.#session;
    return session && !session.closed && !this.#stopping ? session.publisher : undefined;
  }

  /** The live connection's channel for `role`, if open. */
  consumeChannel(role: ConsumeRole): Channel | undefined {
    const session = this.#session;
    return session && !session.closed ? session.consume.get(role) : undefined;
  }

  /** Forgets a consume role and closes its channel; its consumer must be stopped already. */
  async removeRole(role: ConsumeRole): Promise<void> {
    this.#consumers.delete(role);
    const channel = this.#session?.consume.get(role);
    this.#session?.consume.delete(role);
    await channel?.close().catch(noop);
  }

  /**
   * Adds a consume role: its channel opens now on a live connection and after every
   * reconnect. Resolves once the role's consumer is attached (or at once while disconnected).
   */
  async addRole(role: ConsumeRole, hooks: ConsumerHooks): Promise<void> {
    if (role === PUBLISH || this.#consumers.has(role)) {
      throw new AppError('INTERNAL', `consume role ${role} exists already`);
    }
    this.#consumers.set(role, hooks);
    const session = this.#session;
    if (session && !session.closed && !this.#stopping) await this.#openConsumer(session, role);
  }

  /** Whether the broker has blocked publishing (a memory or disk alarm). */
  get blocked(): boolean {
    return this.#blocked;
  }

  /**
   * Connects; rejects with BROKER_UNAVAILABLE after `connectTimeoutMs`, or at once (not
   * retryable) when a configuration error makes retrying pointless.
   */
  async start(): Promise<void> {
    const options = this.#options;
    let lastError: unknown;
    let onTerminal: (error: unknown) => void = noop;
    const terminal = new Promise<never>((_, reject) => {
      onTerminal = reject;
    });
    terminal.catch(noop);
    const model = new RecoveringConnection({
      urls: options.urls,
      socket: {
        timeout: options.connectTimeoutMs,
        // amqplib writes a publish as separate method, header and body frames; with Nagle
        // on, the kernel holds the later ones until the broker's delayed ACK (~40 ms).
        noDelay: true,
        clientProperties: { connection_name: options.connectionName },
      },
      initialDelayMs: options.reconnectInitialDelayMs,
      maxDelayMs: options.reconnectMaxDelayMs,
      setup: (connection: ChannelModel) => this.#setup(connection),
    });
    this.#model = model;
    watchConnection(model, this.#log, {
      onConnect: () => {
        this.#everConnected = true;
      },
      onConnectFailed: (err) => {
        lastError = err;
        const isTerminal = isAppError(err) ? !err.retryable : isConfigurationError(err);
        if (!this.#everConnected && isTerminal) onTerminal(err);
      },
      onBlocked: (blocked) => {
        this.#blocked = blocked;
      },
    });
    try {
      await withTimeout(
        Promise.race([model.waitForConnect(), terminal]),
        options.connectTimeoutMs,
        () =>
          new AppError(
            'BROKER_UNAVAILABLE',
            `no connection to ${this.#endpoint} within ${options.connectTimeoutMs} ms` +
              (lastError === undefined ? '' : `: ${describeAmqpError(lastError)}`),
            { cause: lastError },
          ),
      );
    } catch (err) {
      this.#stopping = true;
      await model.close().catch(noop);
      if (isAppError(err)) throw err;
      throw new AppError('BROKER_UNAVAILABLE', `cannot connect: ${describeAmqpError(err)}`, {
        cause: err,
        retryable: !isConfigurationError(err),
      });
    }
  }

  /**
   * Runs `use` on a fresh channel of the live connection, then closes it: for operations
   * whose failure closes their channel (a passive declare of a missing queue).
   */
  async withChannel<T>(use: (channel: Channel) => Promise<T>): Promise<T> {
    const session = this.#session;
    if (session === undefined || session.closed || this.#stopping) {
      throw new AppError('BROKER_UNAVAILABLE', `not connected to the broker at ${this.#endpoint}`);
    }
    const channel = await session.model.createChannel();
    channel.on('error', noop); // the failing operation rejects with the same error
    try {
      return await use(channel);
    } finally {
      await channel.close().catch(noop);
    }
  }

  /** Closes a channel whose consumer the broker cancelled; its close handler re-opens it. */
  recycle(channel: Channel): void {
    channel.close().catch(noop);
  }

  /**
   * Waits for pending confirms, closes the consume channels, then the connection, and stops
   * recovery. Publishing is refused from the start.
   */
  async close(): Promise<void> {
    this.#stopping = true;
    const session = this.#session;
    await session?.publisher?.idle();
    // Close consume channels before the connection: RabbitMQ 3.10 drops a quorum queue ack
    // still in flight when the connection closes, and the message would come back.
    for (const channel of session?.consume.values() ?? []) await channel.close().catch(noop);
    await this.#model?.close().catch(noop);
  }

  /** Runs after every (re)connect, before the connection counts as up. */
  async #setup(model: ChannelModel): Promise<void> {
    model.on('error', noop); // reported through the recovering connection's 'error' event
    // A new connection starts unblocked; a broker in an alarm sends 'blocked' right after
    // the connection opens, before setup is done.
    this.#blocked = false;
    model.on('blocked', () => {
      this.#blocked = true;
    });
    model.on('unblocked', () => {
      this.#blocked = false;
    });
    const session: Session = { model, closed: false, consume: new Map() };
    model.once('close', () => {
      session.closed = true;
    });
    this.#session = session;
    await this.#declare(model);
    await this.#openPublisher(session);
    for (const role of this.#consumers.keys()) await this.#openConsumer(session, role);
  }

  async #declare(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    channel.on('error', noop); // the failing declaration rejects with the same error
    try {
      await declareTopology(channel, this.#names, {
        deliveryLimit: this.#options.deliveryLimit,
        opencastJobs: this.#options.opencastJobs,
      });
      if (this.#options.lease !== undefined) {
        await declareLeaseTopology(channel, this.#names, leaseNames(this.#options.prefix));
      }
    } catch (err) {
      throw new AppError(
        'BROKER_UNAVAILABLE',
        `cannot declare the topology: ${describeAmqpError(err)}`,
        { cause: err, retryable: !isConfigurationError(err) },
      );
    } finally {
      await channel.close().catch(noop);
    }
  }

  async #openPublisher(session: Session): Promise<void> {
    const channel = await session.model.createConfirmChannel();
    const publisher = new ConfirmPublisher(channel, this.#options.confirmTimeoutMs);
    channel.on('error', (err: Error) => {
      this.#log.warn(
        { err, detail: describeAmqpError(err) },
        'publish channel closed by the broker',
      );
    });
    channel.on('close', () => {
      if (session.publisher === publisher) delete session.publisher;
      this.#scheduleReopen(session, 'publish');
    });
    session.publisher = publisher;
  }

  async #openConsumer(session: Session, role: ConsumeRole): Promise<void> {
    const channel = await session.model.createChannel();
    const hooks = this.#consumers.get(role);
    if (hooks === undefined) throw new AppError('INTERNAL', `no consume role ${role}`);
    channel.on('error', (err: Error) => {
      this.#log.warn(
        { err, channel: role, detail: describeAmqpError(err) },
        'consume channel closed by the broker',
      );
    });
    channel.on('close', () => {
      hooks.lost(channel);
      if (session.consume.get(role) === channel) session.consume.delete(role);
      this.#scheduleReopen(session, role);
    });
    session.consume.set(role, channel);
    await hooks.attach(channel);
  }

  /** Re-opens a channel the broker closed while the connection stays up. */
  #scheduleReopen(session: Session, kind: ChannelKind): void {
    if (this.#stopping || session.closed) return;
    const timer = setTimeout(() => {
      // A connection close also closes its channels; recovery handles that case.
      if (this.#stopping || session.closed || this.#session !== session) return;
      if (kind !== PUBLISH && !this.#consumers.has(kind)) return;
      if (kind === PUBLISH ? session.publisher : session.consume.get(kind)) return;
      this.#log.warn({ channel: kind }, 're-opening a channel the broker closed');
      this.#reopen(session, kind).catch((err: unknown) => {
        this.#log.error({ err, channel: kind }, 'cannot re-open the channel; reconnecting');
        session.model.close().catch(noop);
      });
    }, CHANNEL_REOPEN_DELAY_MS);
    timer.unref();
  }

  async #reopen(session: Session, kind: ChannelKind): Promise<void> {
    // The reply queue declares itself; the others usually die of a deleted exchange or work
    // queue, so declare before re-opening rather than fail and reconnect.
    if (kind !== 'replies') await this.#declare(session.model);
    if (kind === PUBLISH) await this.#openPublisher(session);
    else await this.#openConsumer(session, kind);
  }
}
