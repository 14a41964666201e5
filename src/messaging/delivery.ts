import type { Message } from 'amqplib';

/** One message as a consumer sees it, free of amqplib types. */
export interface Delivery {
  body: Buffer;
  messageId?: string;
  correlationId?: string;
  replyTo?: string;
  type?: string;
  contentType?: string;
  /** The routing key the message was published with. */
  routingKey?: string;
  headers: Record<string, unknown>;
  redelivered: boolean;
  /** Earlier delivery attempts: the quorum queue's x-delivery-count header, 0 at first. */
  deliveryCount: number;
}

/** What to do with a delivery once its handler is done. */
export type Disposition = 'ack' | 'dead-letter' | 'requeue';

const DISPOSITIONS: ReadonlySet<unknown> = new Set<Disposition>(['ack', 'dead-letter', 'requeue']);

/** Whether a runtime value is a {@link Disposition} (handlers are not trusted to type-check). */
export function isDisposition(value: unknown): value is Disposition {
  return DISPOSITIONS.has(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Reads the delivery count. Only a redelivered message can have one: a publisher may send
 * any `x-delivery-count` header, so a first delivery counts 0 whatever it carries.
 */
export function deliveryCountOf(headers: Record<string, unknown>, redelivered: boolean): number {
  if (!redelivered) return 0;
  const raw = headers['x-delivery-count'];
  const count = typeof raw === 'bigint' ? Number(raw) : raw;
  return typeof count === 'number' && Number.isSafeInteger(count) && count >= 0 ? count : 0;
}

/** Converts an amqplib message into a {@link Delivery}. Never throws on odd properties. */
export function toDelivery(message: Message): Delivery {
  const properties = message.properties;
  const raw: unknown = properties.headers;
  // Own enumerable entries only: a header named __proto__ cannot reach a prototype.
  const headers: Record<string, unknown> =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw)
      ? Object.fromEntries(Object.entries(raw))
      : {};
  const redelivered = message.fields.redelivered;
  return {
    body: message.content,
    messageId: optionalString(properties.messageId),
    correlationId: optionalString(properties.correlationId),
    replyTo: optionalString(properties.replyTo),
    type: optionalString(properties.type),
    contentType: optionalString(properties.contentType),
    routingKey: optionalString(message.fields.routingKey),
    headers,
    redelivered,
    deliveryCount: deliveryCountOf(headers, redelivered),
  };
}
