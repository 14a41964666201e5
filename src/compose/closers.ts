import type { Logger } from 'pino';

/** Stops one started part. */
export type Closer = () => Promise<void>;

/**
 * What a started service must stop, in reverse order of starting. `close()` runs them once:
 * every caller, also one arriving while closing, gets the same promise. A closer that fails
 * is logged and the rest still run. Work registered with {@link atStart} begins the moment
 * closing begins, alongside the ordered closers (e.g. a worker stops taking commands while
 * the API still answers its waiting callers).
 */
export class Closers {
  readonly #closers: Closer[] = [];
  readonly #starters: (() => void)[] = [];
  #closing: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  /** Registers what stops the part just started. */
  push(closer: Closer): void {
    this.#closers.push(closer);
  }

  /** Registers what starts at once when closing begins; it must not throw. */
  atStart(start: () => void): void {
    this.#starters.push(start);
  }

  close(): Promise<void> {
    this.#closing ??= this.#run();
    return this.#closing;
  }

  async #run(): Promise<void> {
    for (const start of this.#starters.splice(0)) {
      try {
        start();
      } catch (err) {
        this.logger.error({ err }, 'error during shutdown');
      }
    }
    for (const closer of this.#closers.splice(0).reverse()) {
      try {
        await closer();
      } catch (err) {
        this.logger.error({ err }, 'error during shutdown');
      }
    }
  }
}
