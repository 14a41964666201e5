import { encodeEvent, type OutgoingEvent } from '../contract/event.js';
import type { MessageProperties } from '../contract/properties.js';
import { encodeReply } from '../contract/reply.js';
import type { WorkerDeps } from './process-command.js';

/** The two publishing calls of the broker adapter the worker uses. */
export interface WorkerBroker {
  publishEvent(routingKey: string, body: Buffer, props: MessageProperties): Promise<void>;
  sendReply(replyTo: string, body: Buffer, props: MessageProperties): Promise<void>;
}

/**
 * The worker's event and reply publishers on a broker: each message is encoded by its
 * contract codec. `onEventPublished` runs once the broker confirmed an event (metrics).
 */
export function brokerPublishers(
  broker: WorkerBroker,
  onEventPublished: (event: OutgoingEvent) => void = () => undefined,
): Pick<WorkerDeps, 'publishEvent' | 'sendReply'> {
  return {
    publishEvent: async (outgoing) => {
      const { body, properties } = encodeEvent(outgoing.event);
      await broker.publishEvent(outgoing.routingKey, body, properties);
      onEventPublished(outgoing);
    },
    sendReply: (replyTo, correlationId, reply) => {
      const { body, properties } = encodeReply(reply, correlationId);
      return broker.sendReply(replyTo, body, properties);
    },
  };
}
