import { encodeEvent, type OutgoingEvent, type OutgoingProgressEvent } from '../contract/event.js';
import { AppError, isAppError } from '../errors.js';
import type { MessageProperties } from '../contract/properties.js';
import { encodeReply } from '../contract/reply.js';
import type { WorkerDeps } from './process-command.js';

/** The two publishing calls of the broker adapter the worker uses. */
export interface WorkerBroker {
  publishEvent(
    routingKey: string,
    body: Buffer,
    props: MessageProperties,
    options?: { readonly persistent?: boolean },
  ): Promise<void>;
  sendReply(replyTo: string, body: Buffer, props: MessageProperties): Promise<void>;
}

/**
 * An event or reply whose confirm did not come may or may not have arrived. Sending it again
 * is safe (its message id is stable, subscribers de-duplicate on it) and cheaper than
 * requeueing the command, so the worker's retry policy may try it again.
 */
function retryUnconfirmed(error: unknown): never {
  if (isAppError(error) && error.code === 'BROKER_UNCONFIRMED' && !error.retryable) {
    throw new AppError('BROKER_UNCONFIRMED', error.message, { cause: error, retryable: true });
  }
  throw error;
}

/**
 * The worker's event and reply publishers on a broker: each message is encoded by its
 * contract codec. `onEventPublished` runs once the broker confirmed an event (metrics);
 * progress events are not counted.
 * An unconfirmed publish rejects as retryable (see {@link retryUnconfirmed}).
 */
export function brokerPublishers(
  broker: WorkerBroker,
  onEventPublished: (event: OutgoingEvent) => void = () => undefined,
): Pick<WorkerDeps, 'publishEvent' | 'sendReply'> & {
  publishProgress: (event: OutgoingProgressEvent) => Promise<void>;
} {
  return {
    publishEvent: async (outgoing) => {
      const { body, properties } = encodeEvent(outgoing.event);
      await broker.publishEvent(outgoing.routingKey, body, properties).catch(retryUnconfirmed);
      onEventPublished(outgoing);
    },
    // Transient and not retried: the next report supersedes a lost one.
    publishProgress: (outgoing) => {
      const { body, properties } = encodeEvent(outgoing.event);
      return broker.publishEvent(outgoing.routingKey, body, properties, { persistent: false });
    },
    sendReply: (replyTo, correlationId, reply) => {
      const { body, properties } = encodeReply(reply, correlationId);
      return broker.sendReply(replyTo, body, properties).catch(retryUnconfirmed);
    },
  };
}
