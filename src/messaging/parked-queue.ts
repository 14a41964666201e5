/**
 * The parking queue as an operator tool sees it (`ocs3 parked`): browse its messages and
 * republish chosen ones to the commands exchange. Its own plain connection: a short-lived
 * tool needs no recovery, and a connection that dies hands every unacknowledged message
 * back to the queue, so nothing is lost when the tool is stopped midway.
 */
import amqp, { type ChannelModel, type ConfirmChannel, type GetMessage } from 'amqplib';
import { AppError } from '../errors.js';
import { describeAmqpError } from './amqp-errors.js';
import { topologyNames } from './topology.js';

const SETTLE_MS = 5_000;

/** A parked message: its body and the properties a replay keeps. */
export interface ParkedMessageView {
  readonly body: Buffer;
  readonly messageId: string | undefined;
  readonly correlationId: string | undefined;
  readonly replyTo: string | undefined;
  readonly type: string | undefined;
  readonly contentType: string | undefined;
  readonly headers: Readonly<Record<string, unknown>>;
}

/** Where to republish a message: its routing key and the headers to send it with. */
export interface ReplayTarget {
  readonly routingKey: string;
  readonly headers: Record<string, string | number | boolean>;
}

/** What a replay did. */
export interface ReplayReport {
  readonly replayed: ParkedMessageView[];
  readonly failed: { readonly message: ParkedMessageView; readonly reason: string }[];
  /** Messages left in the queue because `choose` did not pick them. */
  readonly kept: number;
}

function view(message: GetMessage): ParkedMessageView {
  const p = message.properties;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    body: message.content,
    messageId: text(p.messageId),
    correlationId: text(p.correlationId),
    replyTo: text(p.replyTo),
    type: text(p.type),
    contentType: text(p.contentType),
    headers: p.headers ?? {},
  };
}

/** A connection to one service's parking queue. */
export class ParkedQueue {
  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
    private readonly queue: string,
    private readonly exchange: string,
  ) {}

  /** Connects; BROKER_UNAVAILABLE when the broker cannot be reached or the queue is missing. */
  static async open(url: string, prefix: string): Promise<ParkedQueue> {
    const names = topologyNames(prefix);
    let connection: ChannelModel;
    try {
      connection = await amqp.connect(url, { timeout: 10_000 });
    } catch (cause) {
      throw new AppError('BROKER_UNAVAILABLE', `cannot connect: ${describeAmqpError(cause)}`, {
        cause,
      });
    }
    // A channel error (e.g. a missing queue) must reject the call, not crash the process.
    connection.on('error', () => undefined);
    try {
      const channel = await connection.createConfirmChannel();
      channel.on('error', () => undefined);
      await channel.checkQueue(names.parkingQueue);
      return new ParkedQueue(connection, channel, names.parkingQueue, names.commandsExchange);
    } catch (cause) {
      await connection.close().catch(() => undefined);
      throw new AppError(
        'BROKER_UNAVAILABLE',
        `the queue ${names.parkingQueue} is not there: ${describeAmqpError(cause)}`,
        { cause },
      );
    }
  }

  /** The queue's name and how many messages wait in it (unacknowledged ones not counted). */
  async count(): Promise<{ queue: string; messages: number }> {
    const { messageCount } = await this.channel.checkQueue(this.queue);
    return { queue: this.queue, messages: messageCount };
  }

  /**
   * Up to `limit` messages from the head of the queue, left in it: they are taken without
   * acknowledgement and all handed back (requeued) before this resolves.
   */
  async browse(limit: number): Promise<ParkedMessageView[]> {
    const { messages: before } = await this.count();
    const taken: GetMessage[] = [];
    try {
      while (taken.length < limit) {
        const message = await this.channel.get(this.queue, { noAck: false });
        if (message === false) break;
        taken.push(message);
      }
      return taken.map(view);
    } finally {
      if (taken.length > 0) {
        // One nack for all, in delivery order: the queue keeps its order.
        this.channel.nackAll(true);
        await this.#settle(before);
      }
    }
  }

  /**
   * Goes once through the messages that are in the queue now. Each one `choose` picks is
   * republished (persistent, mandatory) to the commands exchange and removed from the
   * queue only once the broker confirmed the copy and routed it; the others, and any
   * whose republish failed, are handed back in their order.
   */
  async replay(
    choose: (message: ParkedMessageView) => ReplayTarget | undefined,
  ): Promise<ReplayReport> {
    const { messages } = await this.count();
    const held: GetMessage[] = [];
    const replayed: ParkedMessageView[] = [];
    const failed: ReplayReport['failed'] = [];
    try {
      for (let i = 0; i < messages; i++) {
        const message = await this.channel.get(this.queue, { noAck: false });
        if (message === false) break;
        const parked = view(message);
        const target = choose(parked);
        if (target === undefined) {
          held.push(message);
          continue;
        }
        const problem = await this.#republish(parked, target);
        if (problem === undefined) {
          this.channel.ack(message);
          replayed.push(parked);
        } else {
          held.push(message);
          failed.push({ message: parked, reason: problem });
        }
      }
    } finally {
      for (const message of held) this.channel.nack(message, false, true);
      if (held.length > 0) await this.#settle(held.length);
    }
    return { replayed, failed, kept: held.length - failed.length };
  }

  /**
   * Waits (at most 5 s) until the queue counts `expected` messages again. A quorum queue
   * applies requeues through its log, a moment after the nack: without this wait, the
   * next command of an operator could miss the messages just handed back.
   */
  async #settle(expected: number): Promise<void> {
    const deadline = Date.now() + SETTLE_MS;
    while ((await this.count()).messages < expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }

  /** Publishes one copy and waits for its confirm; a reason when it did not arrive. */
  async #republish(message: ParkedMessageView, target: ReplayTarget): Promise<string | undefined> {
    const state = { returned: false };
    const onReturn = () => {
      state.returned = true;
    };
    this.channel.on('return', onReturn);
    try {
      await new Promise<void>((resolve, reject) => {
        this.channel.publish(
          this.exchange,
          target.routingKey,
          message.body,
          {
            persistent: true,
            mandatory: true,
            messageId: message.messageId,
            correlationId: message.correlationId,
            replyTo: message.replyTo,
            type: message.type,
            contentType: message.contentType ?? 'application/json',
            headers: target.headers,
          },
          (err: unknown) => {
            if (err === null || err === undefined) resolve();
            else reject(err instanceof Error ? err : new Error('the broker refused the message'));
          },
        );
      });
    } catch (err) {
      return `not confirmed: ${describeAmqpError(err)}`;
    } finally {
      this.channel.off('return', onReturn);
    }
    // The broker sends a return before the confirm of the same message.
    return state.returned ? `routing key '${target.routingKey}' reaches no queue` : undefined;
  }
}
