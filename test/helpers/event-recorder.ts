import amqp, { type Channel, type ConsumeMessage } from 'amqplib';

/** An event as a subscriber received it. */
export interface RecordedEvent {
  readonly routingKey: string;
  /** Whether it was published persistent (delivery mode 2). */
  readonly persistent: boolean;
  readonly event: {
    readonly id: string;
    readonly type: string;
    readonly subject?: string;
    readonly data: Record<string, unknown>;
  };
}

/** A subscriber of a stack's events exchange, keeping what it receives. */
export interface EventRecorder {
  readonly events: RecordedEvent[];
  /** Its channel, free for the test's own checks (queue counts, publishes). */
  readonly channel: Channel;
  close(): Promise<void>;
}

/** Binds an exclusive queue to `<prefix>.events` with `bindings` and records every event. */
export async function recordEvents(
  amqpUrl: string,
  prefix: string,
  bindings: readonly string[],
): Promise<EventRecorder> {
  const connection = await amqp.connect(amqpUrl);
  const channel = await connection.createChannel();
  const events: RecordedEvent[] = [];
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  for (const binding of bindings) await channel.bindQueue(queue, `${prefix}.events`, binding);
  await channel.consume(
    queue,
    (message: ConsumeMessage | null) => {
      if (message === null) return;
      events.push({
        routingKey: message.fields.routingKey,
        persistent: message.properties.deliveryMode === 2,
        event: JSON.parse(message.content.toString()) as RecordedEvent['event'],
      });
    },
    { noAck: true },
  );
  return { events, channel, close: () => connection.close() };
}
