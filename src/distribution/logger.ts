/**
 * The logging port of the core: only the calls the use cases make, in pino's
 * `(obj, msg)` shape. pino's `Logger` satisfies it structurally, so the composition root
 * passes its logger unchanged, while the core imports nothing of pino.
 */

/** One log level: structured fields first (errors as `{ err }`), then the message. */
export type LogMethod = (obj: object, msg?: string) => void;

/** What the use cases log through. */
export interface Logger {
  readonly info: LogMethod;
  readonly warn: LogMethod;
  readonly error: LogMethod;
  readonly debug: LogMethod;
  /** A logger that adds `bindings` (e.g. `jobId`) to every line. */
  child(bindings: Record<string, unknown>): Logger;
}
