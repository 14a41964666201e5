/**
 * RabbitMQ for tests: which broker to use, unique names, cleanup, and a TCP proxy that cuts
 * connections on demand (the real broker stays up; only this client's socket dies).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, connect as tcpConnect } from 'node:net';
import type { Server, Socket } from 'node:net';
import { connect } from 'amqplib';
import { leaseNames } from '../../src/messaging/lease-topology.js';
import { deleteTopology, topologyNames } from '../../src/messaging/topology.js';
import type { MessagingLogger } from '../../src/messaging/logger.js';

/** The broker every development and CI machine runs. */
export const LOCAL_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/** A broker to test against, with a name prefix no other test uses. */
export interface TestBroker {
  readonly url: string;
  /** Unique per call, e.g. `ocs3test.1a2b3c4d5e6f`. */
  readonly prefix: string;
  /** Deletes the prefix's topology and stops the container, if one was started. */
  close(): Promise<void>;
}

/** A fresh unique prefix. */
export function testPrefix(): string {
  return `ocs3test.${randomBytes(6).toString('hex')}`;
}

/**
 * Picks the broker: `TEST_AMQP_URL`, else a RabbitMQ container when a Docker engine answers
 * within 2 s, else the local broker at {@link LOCAL_AMQP_URL}.
 */
export async function startTestBroker(): Promise<TestBroker> {
  const prefix = testPrefix();
  const fromEnv = process.env.TEST_AMQP_URL;
  if (fromEnv !== undefined && fromEnv !== '') return shared(fromEnv, prefix);
  if (await dockerAnswers(1_500)) {
    const { RabbitMQContainer } = await import('@testcontainers/rabbitmq');
    const container = await new RabbitMQContainer('rabbitmq:3.10-management-alpine').start();
    const url = container.getAmqpUrl();
    return {
      url,
      prefix,
      close: async () => {
        await container.stop();
      },
    };
  }
  return shared(LOCAL_AMQP_URL, prefix);
}

function shared(url: string, prefix: string): TestBroker {
  return { url, prefix, close: () => deleteTestTopology(url, prefix) };
}

/**
 * Whether a Docker engine answers `GET /_ping` within `timeoutMs`, on `DOCKER_HOST`
 * (unix:// or plain tcp://) or the default socket. Never waits longer, never throws.
 */
export function dockerAnswers(timeoutMs: number): Promise<boolean> {
  const dockerHost = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  let target: { socketPath: string } | { host: string; port: number };
  if (dockerHost.startsWith('unix://')) {
    const socketPath = dockerHost.slice('unix://'.length);
    if (!existsSync(socketPath)) return Promise.resolve(false);
    target = { socketPath };
  } else if (dockerHost.startsWith('tcp://')) {
    const parsed = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    target = { host: parsed.hostname, port: Number(parsed.port || 2375) };
  } else {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.on('error', () => {
      resolve(false);
    });
    req.end();
  });
}

/** Extra names a test declared under its prefix, deleted along with the topology. */
export interface ExtraNames {
  readonly queues?: readonly string[];
  readonly exchanges?: readonly string[];
}

/**
 * Deletes the topology of `prefix` (names from `topologyNames`) and `extra` names, as far as
 * it can: a name that does not exist is no error. Reply queues are not auto-delete:
 * `Broker.close()` deletes its own and `x-expires` removes those of a crashed broker, but a
 * test that opens one should also pass its name in `extra.queues` (its name is random).
 */
export async function deleteTestTopology(
  url: string,
  prefix: string,
  extra: ExtraNames = {},
): Promise<void> {
  const connection = await connect(url);
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    await deleteTopology(channel, topologyNames(prefix));
    const lease = leaseNames(prefix);
    await channel.deleteQueue(lease.waitQueue);
    await channel.deleteExchange(lease.exchange);
    for (const queue of extra.queues ?? []) await channel.deleteQueue(queue);
    for (const exchange of extra.exchanges ?? []) await channel.deleteExchange(exchange);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/**
 * Starts `server` on a random loopback port and answers `brokerUrl` rewritten to reach it:
 * the same credentials, vhost and parameters, for a stand-in in front of the broker.
 */
export async function listenAsBroker(server: Server, brokerUrl: string): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  const url = new URL(brokerUrl);
  url.hostname = '127.0.0.1';
  url.port = String(address.port);
  return url.toString();
}

/** A TCP proxy in front of the broker that can cut and refuse connections. */
export interface FaultProxy {
  /** The broker URL rewritten to go through the proxy. */
  readonly url: string;
  /** Destroys every proxied connection, both sides. */
  dropConnections(): void;
  /** While false, new connections are closed at once (the broker looks down). */
  setAccepting(accepting: boolean): void;
  /**
   * Stalls the link: sockets stay open, but no byte is forwarded either way (held, like a
   * network that stopped delivering) until {@link FaultProxy.resume}.
   */
  stall(): void;
  /** Ends a stall: the held bytes go through in order, then forwarding goes on. */
  resume(): void;
  close(): Promise<void>;
}

/** Starts a {@link FaultProxy} on a random local port in front of `brokerUrl`. */
export async function startFaultProxy(brokerUrl: string): Promise<FaultProxy> {
  const target = new URL(brokerUrl);
  const targetPort = Number(target.port || 5672);
  const sockets = new Set<Socket>();
  let accepting = true;
  let stalled = false;
  const held: { readonly to: Socket; readonly chunk: Buffer }[] = [];
  const forward = (from: Socket, to: Socket): void => {
    from.on('data', (chunk: Buffer) => {
      if (stalled) {
        held.push({ to, chunk });
        return;
      }
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    });
  };
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    if (!accepting) {
      client.destroy();
      return;
    }
    const upstream = tcpConnect(targetPort, target.hostname);
    track(upstream);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    forward(client, upstream);
    forward(upstream, client);
  });
  const url = await listenAsBroker(server, brokerUrl);
  const dropConnections = (): void => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url,
    dropConnections,
    setAccepting: (value) => {
      accepting = value;
    },
    stall: () => {
      stalled = true;
    },
    resume: () => {
      stalled = false;
      for (const { to, chunk } of held.splice(0)) if (!to.destroyed) to.write(chunk);
    },
    close: () =>
      new Promise<void>((resolve) => {
        dropConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** One log call captured by {@link recordingLogger}. */
export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly obj: object;
  readonly msg: string | undefined;
}

/** A logger that keeps every entry, for asserting on warnings. `TEST_LOG=1` also prints. */
export function recordingLogger(): MessagingLogger & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const print = process.env.TEST_LOG === '1';
  const at =
    (level: LogEntry['level']) =>
    (obj: object, msg?: string): void => {
      entries.push({ level, obj, msg });
      if (print) console.log(level, msg, obj);
    };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Re-exported for the tests that import it from here; new code imports `./wait-for.js`. */
export { waitFor } from './wait-for.js';
