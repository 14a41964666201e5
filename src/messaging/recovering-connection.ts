import { EventEmitter } from 'node:events';
import { connect } from 'amqplib';
import type { ChannelModel, Options } from 'amqplib';
import { redactUrl } from './broker-options.js';

/** How a {@link RecoveringConnection} retries. */
export interface RecoveryPlan {
  /** Broker URLs of one cluster, tried in turn; the first is tried first. */
  readonly urls: readonly string[];
  /** Socket options of every attempt (timeout, noDelay, client properties). */
  readonly socket: Options.Connect & Record<string, unknown>;
  /** Delay after a lost connection and after the first failed round of URLs. */
  readonly initialDelayMs: number;
  /** Longest delay between two attempts. */
  readonly maxDelayMs: number;
  /** Runs on every new connection before it counts as up; a throw makes it a failed attempt. */
  readonly setup: (model: ChannelModel) => Promise<void>;
}

/**
 * Events: `connect` (endpoint), `disconnect` (error, endpoint), `connect-failed` (error,
 * endpoint), `blocked` (reason), `unblocked`, `error` (error).
 */
export type RecoveringConnectionEvent =
  'connect' | 'disconnect' | 'connect-failed' | 'blocked' | 'unblocked' | 'error';

// Spreads the reconnects of many processes after a broker restart.
const JITTER = 0.2;

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * A connection to the first broker of a list that answers, re-established after every loss.
 * amqplib's own recovery reconnects to one URL only; a cluster needs the next node when one
 * is gone. Each attempt goes to the next URL in turn (after a loss too, so a dead node is
 * not retried first); the delay starts at `initialDelayMs` and doubles only after a whole
 * round of URLs failed, up to `maxDelayMs`.
 */
export class RecoveringConnection extends EventEmitter {
  readonly #plan: RecoveryPlan;
  readonly #endpoints: readonly string[];
  #index = 0;
  #failures = 0;
  #model: ChannelModel | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #connecting = false;
  readonly #firstConnect: Promise<void>;
  #resolveFirst: () => void = () => undefined;

  constructor(plan: RecoveryPlan) {
    super();
    if (plan.urls.length === 0) throw new Error('RecoveringConnection needs a URL');
    this.#plan = plan;
    this.#endpoints = plan.urls.map(redactUrl);
    this.#firstConnect = new Promise((resolve) => {
      this.#resolveFirst = resolve;
    });
    // After the caller attached its listeners, like amqplib's recovering model.
    setImmediate(() => void this.#connect());
  }

  /** Resolves once the first connection is up (never rejects; see `connect-failed`). */
  waitForConnect(): Promise<void> {
    return this.#firstConnect;
  }

  /** The URL (without credentials) of the live connection, or of the next attempt. */
  get endpoint(): string {
    return this.#endpoints[this.#index] ?? '';
  }

  /** Stops reconnecting and closes the live connection. */
  async close(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const model = this.#model;
    this.#model = undefined;
    await model?.close().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    if (this.#stopped || this.#connecting) return;
    this.#connecting = true;
    const url = this.#plan.urls[this.#index] ?? '';
    const endpoint = this.endpoint;
    let model: ChannelModel | undefined;
    try {
      model = await connect(url, this.#plan.socket);
      model.on('error', (err: unknown) => this.emit('error', toError(err)));
      model.on('blocked', (reason: unknown) => this.emit('blocked', String(reason)));
      model.on('unblocked', () => this.emit('unblocked'));
      const live = model;
      live.once('close', (err: unknown) => {
        this.#lost(live, toError(err ?? 'connection closed'), endpoint);
      });
      await this.#plan.setup(live);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- close() may run during setup
      if (this.#stopped) {
        await live.close().catch(() => undefined);
        return;
      }
      this.#model = live;
      this.#failures = 0;
      this.emit('connect', endpoint);
      this.#resolveFirst();
    } catch (error) {
      if (model !== undefined) {
        // Its 'close' listener sees that this model never became the live one.
        await model.close().catch(() => undefined);
      }
      this.#failures += 1;
      this.emit('connect-failed', toError(error), endpoint);
      this.#next();
    } finally {
      this.#connecting = false;
    }
  }

  #lost(model: ChannelModel, error: Error, endpoint: string): void {
    if (this.#model !== model) return; // a failed attempt, handled in #connect
    this.#model = undefined;
    if (this.#stopped) return;
    this.emit('disconnect', error, endpoint);
    this.#next();
  }

  /** Schedules an attempt at the next URL. */
  #next(): void {
    if (this.#stopped) return;
    const count = this.#plan.urls.length;
    this.#index = (this.#index + 1) % count;
    const rounds = Math.floor(this.#failures / count);
    const base = Math.min(this.#plan.maxDelayMs, this.#plan.initialDelayMs * 2 ** rounds);
    const delay = base * (1 - JITTER + Math.random() * 2 * JITTER);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#connect(), Math.min(delay, this.#plan.maxDelayMs));
  }
}
