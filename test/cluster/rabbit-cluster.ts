/**
 * A throwaway RabbitMQ cluster on this machine: three nodes beside the machine's own
 * `rabbit@localhost` (which is never touched), on their own ports, node names and data
 * folder. Needs root (the server script switches to the `rabbitmq` user) and the Debian
 * `rabbitmq-server` package; see docs/platform-notes "More RabbitMQ nodes on one machine".
 */
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One node of a {@link TestCluster}. */
export interface ClusterNode {
  /** e.g. `rabbit-t1@localhost` */
  readonly name: string;
  readonly port: number;
  readonly url: string;
}

/** A running cluster; `close()` stops every node and removes the data folder. */
export interface TestCluster {
  readonly nodes: readonly ClusterNode[];
  /** The node that leads `queue` (a quorum queue), from `rabbitmqctl list_queues`. */
  leaderOf(queue: string): Promise<ClusterNode>;
  /** Every queue with its ready message count, asked of a running node. */
  queues(): Promise<{ readonly name: string; readonly messages: number }[]>;
  /** Stops one node (as an operator or a crash of the broker would). */
  stopNode(node: ClusterNode): Promise<void>;
  /** Stops every node still running and removes the data folder; never throws. */
  close(): Promise<void>;
}

/** Settings of {@link startTestCluster}. */
export interface ClusterOptions {
  /** First AMQP port; node i listens on `basePort + i` and distribution on `20000 + that`. */
  readonly basePort?: number;
  /** Lines added to every node's rabbitmq.conf, e.g. `consumer_timeout = 10000`. */
  readonly extraConfig?: readonly string[];
  /** Erlang terms for advanced.config's `rabbit` application, e.g. `{channel_tick_interval, 1000}`. */
  readonly rabbitAppEnv?: readonly string[];
  readonly size?: number;
}

/** Whether this machine can run a test cluster (root and rabbitmq-server installed). */
export async function canRunCluster(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  try {
    await run('sh', ['-c', 'command -v rabbitmq-server && command -v rabbitmqctl']);
    return true;
  } catch {
    return false;
  }
}

async function ctl(node: string, args: readonly string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await run('rabbitmqctl', ['-n', node, ...args], { timeout: timeoutMs });
  return stdout;
}

/** Polls until `node` has booted: `await_startup` fails at once while it is not registered. */
async function awaitStartup(node: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await ctl(node, ['await_startup', '--timeout', '60'], 70_000);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** Starts `size` (default 3) nodes, joins them into one cluster and waits until it runs. */
export async function startTestCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const size = options.size ?? 3;
  const basePort = options.basePort ?? 5681;
  const root = await mkdtemp(join(tmpdir(), 'ocs3-cluster-'));
  const nodes: ClusterNode[] = [];
  const running = new Set<string>();
  const close = async (): Promise<void> => {
    for (const name of running) {
      await ctl(name, ['stop'], 60_000).catch(() => undefined);
    }
    running.clear();
    await rm(root, { recursive: true, force: true }).catch(() => undefined);
  };
  try {
    await chmod(root, 0o755);
    for (let i = 0; i < size; i++) {
      const port = basePort + i;
      const name = `rabbit-t${String(i + 1)}@localhost`;
      const dir = join(root, `n${String(i + 1)}`);
      await mkdir(join(dir, 'log'), { recursive: true });
      await writeFile(
        join(dir, 'rabbitmq.conf'),
        [
          `listeners.tcp.local = 127.0.0.1:${String(port)}`,
          'loopback_users.guest = true',
          ...(options.extraConfig ?? []),
          '',
        ].join('\n'),
      );
      await writeFile(
        join(dir, 'advanced.config'),
        `[{rabbit, [${(options.rabbitAppEnv ?? []).join(', ')}]}].\n`,
      );
      await writeFile(join(dir, 'plugins'), '[].\n');
      nodes.push({ name, port, url: `amqp://guest:guest@127.0.0.1:${String(port)}` });
    }
    await run('chown', ['-R', 'rabbitmq:rabbitmq', root]);
    // Started together: each takes ~20 s on its own, mostly waiting.
    await Promise.all(
      nodes.map(async (node, i) => {
        const dir = join(root, `n${String(i + 1)}`);
        const child = spawn('rabbitmq-server', [], {
          detached: true,
          stdio: 'ignore',
          env: {
            ...process.env,
            RABBITMQ_NODENAME: node.name,
            RABBITMQ_NODE_PORT: String(node.port),
            RABBITMQ_DIST_PORT: String(20_000 + node.port),
            RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
            RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
            RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
            RABBITMQ_LOG_BASE: join(dir, 'log'),
            RABBITMQ_PID_FILE: join(dir, 'pid'),
            RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'plugins'),
          },
        });
        child.unref();
        running.add(node.name);
        await awaitStartup(node.name, 180_000);
      }),
    );
    const [first, ...others] = nodes;
    if (first === undefined) throw new Error('a cluster needs a node');
    for (const node of others) {
      await ctl(node.name, ['stop_app']);
      await ctl(node.name, ['join_cluster', first.name]);
      await ctl(node.name, ['start_app']);
    }
    const listQueues = (...columns: string[]): Promise<string> => {
      const alive = nodes.find((node) => running.has(node.name));
      if (alive === undefined) throw new Error('no node runs');
      return ctl(alive.name, ['list_queues', '--quiet', '--no-table-headers', ...columns]);
    };
    return {
      nodes,
      queues: async () =>
        (await listQueues('name', 'messages_ready'))
          .split('\n')
          .filter((line) => line.includes('\t'))
          .map((line) => {
            const [name = '', messages = '0'] = line.split('\t');
            return { name, messages: Number(messages) };
          }),
      leaderOf: async (queue) => {
        const out = await listQueues('name', 'leader');
        const line = out.split('\n').find((l) => l.split('\t')[0] === queue);
        const leader = line?.split('\t')[1]?.trim();
        const node = nodes.find((n) => n.name === leader);
        if (node === undefined) throw new Error(`no leader for ${queue} in:\n${out}`);
        return node;
      },
      stopNode: async (node) => {
        await ctl(node.name, ['stop'], 60_000);
        running.delete(node.name);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
