/**
 * Baseline for async accepts: raw amqplib publishing `count` persistent messages of
 * `messageBytes` to a quorum queue (as the service's work queue is), on a confirm channel
 * with at most `inFlight` confirms outstanding.
 */
import { connect, type ConfirmChannel } from 'amqplib';
import { childParams, runChild } from './child-protocol.js';

interface Params {
  readonly amqpUrl: string;
  readonly queue: string;
  readonly count: number;
  readonly inFlight: number;
  readonly messageBytes: number;
}

const params = childParams() as Params;
// Nagle off, as the service has it (each confirm would otherwise wait for a delayed ACK).
const connection = await connect(params.amqpUrl, { noDelay: true });
let channel: ConfirmChannel | undefined;

function publishAll(ch: ConfirmChannel): Promise<void> {
  const body = Buffer.alloc(params.messageBytes, 'x');
  return new Promise((resolve, reject) => {
    let sent = 0;
    let confirmed = 0;
    let failed = false;
    const pump = (): void => {
      while (!failed && sent < params.count && sent - confirmed < params.inFlight) {
        sent++;
        const writable = ch.publish('', params.queue, body, { persistent: true }, (error) => {
          if (error !== null && error !== undefined) {
            failed = true;
            reject(new Error('a publish was not confirmed'));
            return;
          }
          confirmed++;
          if (confirmed === params.count) resolve();
          else pump();
        });
        if (!writable) {
          ch.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

await runChild(
  async () => {
    channel = await connection.createConfirmChannel();
    await channel.assertQueue(params.queue, {
      durable: true,
      arguments: { 'x-queue-type': 'quorum' },
    });
  },
  async () => {
    if (channel === undefined) throw new Error('no channel');
    await publishAll(channel);
    return { messages: params.count };
  },
  async () => {
    await channel?.deleteQueue(params.queue);
    await connection.close();
  },
);
