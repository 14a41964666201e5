import { describeAmqpError } from './amqp-errors.js';
import type { MessagingLogger } from './logger.js';
import type { RecoveringConnection } from './recovering-connection.js';

/** What the connection owner learns from amqplib's recovery events. */
export interface ConnectionEventHandlers {
  onConnect(): void;
  onConnectFailed(error: Error): void;
  onBlocked(blocked: boolean): void;
}

/**
 * Logs the recovering connection's life (connect, disconnect, failed attempts, flow
 * control) and forwards what matters. Also the 'error' listener amqplib requires: without
 * one an error event would be thrown inside the library.
 */
export function watchConnection(
  model: RecoveringConnection,
  log: MessagingLogger,
  handlers: ConnectionEventHandlers,
): void {
  model.on('connect', (endpoint: string) => {
    log.info({ endpoint }, 'connected to the broker');
    handlers.onConnect();
  });
  model.on('disconnect', (err: Error, endpoint: string) => {
    log.warn({ endpoint, err }, 'lost the broker connection; reconnecting');
  });
  model.on('connect-failed', (err: Error, endpoint: string) => {
    log.warn({ endpoint, err, detail: describeAmqpError(err) }, 'broker connection attempt failed');
    handlers.onConnectFailed(err);
  });
  model.on('blocked', (reason: string) => {
    log.warn({ endpoint: model.endpoint, reason }, 'the broker blocks publishing');
    handlers.onBlocked(true);
  });
  model.on('unblocked', () => {
    log.info({ endpoint: model.endpoint }, 'the broker accepts publishing again');
    handlers.onBlocked(false);
  });
  model.on('error', (err: Error) => {
    log.warn({ endpoint: model.endpoint, err }, 'broker connection error');
  });
}
