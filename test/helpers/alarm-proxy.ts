import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { listenAsBroker } from './rabbit.js';

/**
 * A TCP proxy in front of RabbitMQ that can make the client believe the broker raised a
 * resource alarm: it injects AMQP `connection.blocked` / `connection.unblocked` frames
 * into the broker-to-client stream (whole frames only), now or right after the next
 * connection opens. The shared broker itself is never put into an alarm.
 */
export interface AlarmProxy {
  readonly url: string;
  /** Sends connection.blocked to every open client connection. */
  block(reason?: string): void;
  /** Sends connection.unblocked to every open client connection. */
  unblock(): void;
  /** Sends connection.blocked right after connection.open-ok of each new connection. */
  blockOnOpen(on: boolean): void;
  /** Cuts every connection, both sides. */
  drop(): void;
  close(): Promise<void>;
}

const FRAME_METHOD = 1;
const FRAME_END = 0xce;
const CONNECTION_CLASS = 10;
const OPEN_OK = 41;
const BLOCKED = 60;
const UNBLOCKED = 61;

function methodFrame(method: number, args: Buffer = Buffer.alloc(0)): Buffer {
  const payload = Buffer.alloc(4 + args.length);
  payload.writeUInt16BE(CONNECTION_CLASS, 0);
  payload.writeUInt16BE(method, 2);
  args.copy(payload, 4);
  const header = Buffer.alloc(7);
  header.writeUInt8(FRAME_METHOD, 0);
  header.writeUInt16BE(0, 1); // channel 0: the connection
  header.writeUInt32BE(payload.length, 3);
  return Buffer.concat([header, payload, Buffer.from([FRAME_END])]);
}

function blockedFrame(reason: string): Buffer {
  const text = Buffer.from(reason.slice(0, 255));
  return methodFrame(BLOCKED, Buffer.concat([Buffer.from([text.length]), text]));
}

/** Starts an {@link AlarmProxy} on a random local port in front of `brokerUrl`. */
export async function startAlarmProxy(brokerUrl: string): Promise<AlarmProxy> {
  const target = new URL(brokerUrl);
  const clients = new Set<{ client: Socket; upstream: Socket }>();
  let blockNewConnections = false;
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(Number(target.port || 5672), target.hostname);
    const pair = { client, upstream };
    clients.add(pair);
    const end = () => {
      client.destroy();
      upstream.destroy();
      clients.delete(pair);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.on('data', (data) => upstream.write(data));
    // Forward whole frames, so an injected frame never lands inside another one. The
    // protocol header the broker may send first is shorter than a frame header.
    let pending = Buffer.alloc(0);
    upstream.on('data', (data) => {
      pending = Buffer.concat([pending, data]);
      while (pending.length >= 7) {
        if (pending.subarray(0, 4).toString('latin1') === 'AMQP') {
          client.write(pending.subarray(0, 8));
          pending = pending.subarray(8);
          continue;
        }
        const size = pending.readUInt32BE(3);
        if (pending.length < size + 8) break;
        const frame = pending.subarray(0, size + 8);
        pending = pending.subarray(size + 8);
        client.write(frame);
        const isOpenOk =
          frame[0] === FRAME_METHOD &&
          frame.readUInt16BE(7) === CONNECTION_CLASS &&
          frame.readUInt16BE(9) === OPEN_OK;
        if (isOpenOk && blockNewConnections) client.write(blockedFrame('alarm at connect'));
      }
    });
  });
  const url = await listenAsBroker(server, brokerUrl);
  const drop = () => {
    for (const { client, upstream } of clients) {
      client.destroy();
      upstream.destroy();
    }
  };
  return {
    url,
    block: (reason = 'test alarm') => {
      for (const { client } of clients) client.write(blockedFrame(reason));
    },
    unblock: () => {
      for (const { client } of clients) client.write(methodFrame(UNBLOCKED));
    },
    blockOnOpen: (on) => {
      blockNewConnections = on;
    },
    drop,
    close: () =>
      new Promise<void>((resolve) => {
        drop();
        server.close(() => {
          resolve();
        });
      }),
  };
}
