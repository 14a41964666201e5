/**
 * The logging surface the messaging adapter needs. pino's `Logger` satisfies it, so the
 * composition root passes its root logger (or a child) without an adapter.
 */
export interface MessagingLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}
