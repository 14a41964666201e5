import amqp from 'amqplib';

/** An event as a subscriber sees it: its routing key and the CloudEvent's `data`. */
export interface SeenEvent {
  readonly routingKey: string;
  readonly data: Record<string, unknown>;
}

/** Every event of a topology, as a subscriber with its own exclusive queue receives them. */
export interface EventRecorder {
  readonly events: SeenEvent[];
  /** Closes the connection; the exclusive queue goes with it. */
  close(): Promise<void>;
}

/** Subscribes to `<prefix>.events` with `#` and records what arrives. */
export async function recordEvents(amqpUrl: string, prefix: string): Promise<EventRecorder> {
  const connection = await amqp.connect(amqpUrl);
  const channel = await connection.createChannel();
  const queue = (await channel.assertQueue('', { exclusive: true, autoDelete: true })).queue;
  await channel.bindQueue(queue, `${prefix}.events`, '#');
  const events: SeenEvent[] = [];
  await channel.consume(
    queue,
    (message) => {
      if (message === null) return;
      const body = JSON.parse(message.content.toString()) as { data: Record<string, unknown> };
      events.push({ routingKey: message.fields.routingKey, data: body.data });
    },
    { noAck: true },
  );
  return { events, close: () => connection.close() };
}
