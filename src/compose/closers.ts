import type { Logger } from 'pino';

/** Stops one started part. */
export type Closer = () => Promise<void>;

/**
 * What a started service must stop, in reverse order of starting. `close()` runs them once:
 * every caller, also one arriving while closing, gets the same promise. A closer that fails
 * is logged and the rest still run.
 */
export class Closers {
  readonly #closers: Closer[] = [];
  #closing: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  /** Registers what stops the part just started. */
  push(closer: Closer): void {
    this.#closers.push(closer);
  }

  close(): Promise<void> {
    this.#closing ??= this.#run();
    return this.#closing;
  }

  async #run(): Promise<void> {
    for (const closer of this.#closers.splice(0).reverse()) {
      try {
        await closer();
      } catch (err) {
        this.logger.error({ err }, 'error during shutdown');
      }
    }
  }
}
