/**
 * Where the idle memory of a fresh service process goes (issue 9: ≤ 75 MiB, 3 s after
 * /ready). Each variant is a fresh plain `node` child (no tsx, no loader): bare node; node
 * with @aws-sdk/client-s3 loaded and one S3Client built (the bench's idle baseline); that plus
 * each other library the service imports in turn; all of them together; all of them plus the
 * service's own modules imported but not started; and the service itself (`node dist/main.js`,
 * ROLE=all) with and without `--max-semi-space-size=2`. Every child is left alone for 3 s
 * (after /ready for the service), then its VmRSS is read from /proc/<pid>/status. Variants
 * run one at a time, their order rotated each round, so that load drifting on the machine
 * spreads over all of them.
 *
 *   npm run build && npm run measure:idle
 *
 * The service talks to RabbitMQ at AMQP_URL (default amqp://guest:guest@127.0.0.1:5672)
 * under a unique prefix, deleted at the end, and to an S3 server this process starts
 * (test/helpers/s3.ts) through S3_ENDPOINT, as in production; the "embedded S3" variant is
 * the README's default instead (no S3_ENDPOINT: s3rver inside the service process).
 * MEASURE_ROUNDS (5), MEASURE_SETTLE_MS (3000), MEASURE_VARIANTS (names as in the table,
 * separated by commas; default all).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SDK_WARNING_SWITCH } from '../src/node-support.js';
import { memoryMiB } from './bench/proc.js';
import { median } from './bench/stats.js';
import { freePort } from '../test/helpers/free-port.js';
import { LOCAL_AMQP_URL, deleteTestTopology, testPrefix } from '../test/helpers/rabbit.js';
import { startTestS3, type TestS3 } from '../test/helpers/s3.js';

const rounds = Number(process.env.MEASURE_ROUNDS ?? 5);
const settleMs = Number(process.env.MEASURE_SETTLE_MS ?? 3000);
const amqpUrl = process.env.AMQP_URL ?? LOCAL_AMQP_URL;

/** Builds one S3 client as src/storage/s3-client.ts does for a custom endpoint. */
const SDK = `
import { S3Client } from '@aws-sdk/client-s3';
const agent = { keepAlive: true, maxSockets: 50 };
globalThis.client = new S3Client({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  forcePathStyle: true,
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
  requestHandler: { httpAgent: agent, httpsAgent: agent },
});
`;
const KEEP_ALIVE = `setInterval(() => undefined, 1 << 30);\n`;

/**
 * The third-party modules src/ imports (besides the S3 client, and s3rver: dev only, loaded
 * only for the embedded store). @redis/client is loaded only with REDIS_URL
 * (src/compose/job-store.ts), so "all libraries" leaves it out, as the service does by default.
 */
const LIBRARIES: Record<string, { readonly modules: readonly string[]; readonly lazy?: true }> = {
  amqplib: { modules: ['amqplib'] },
  hono: {
    modules: ['hono', 'hono/body-limit', 'hono/http-exception', 'hono/route', '@hono/node-server'],
  },
  pino: { modules: ['pino'] },
  zod: { modules: ['zod'] },
  'prom-client': { modules: ['prom-client'] },
  'other @aws-sdk': {
    modules: [
      '@aws-sdk/lib-storage',
      '@aws-sdk/s3-request-presigner',
      '@aws-sdk/cloudfront-signer',
    ],
  },
  '@redis/client (only with REDIS_URL)': { modules: ['@redis/client'], lazy: true },
};
const ALL_LIBRARIES = Object.values(LIBRARIES).flatMap((l) => (l.lazy ? [] : l.modules));

function importing(modules: readonly string[]): string {
  return modules.map((m) => `import ${JSON.stringify(m)};\n`).join('');
}

interface Fixtures {
  readonly s3: TestS3;
  readonly bucket: string;
  readonly prefix: string;
  readonly baseEnv: Record<string, string>;
}

/** A child to measure; `start` resolves when it counts as started (the service: /ready). */
interface Variant {
  readonly name: string;
  readonly start: (f: Fixtures) => Promise<Running>;
}
interface Running {
  readonly pid: number;
  close(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
}

function stopper(child: ChildProcess, signal: NodeJS.Signals): () => Promise<void> {
  return async () => {
    child.kill(signal);
    await exited(child);
  };
}

/** `node --input-type=module -e <code>`: imports resolve from the working directory. */
function evalVariant(name: string, code: string): Variant {
  return {
    name,
    start: (f) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', code + KEEP_ALIVE], {
        env: f.baseEnv,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      if (child.pid === undefined) throw new Error(`${name}: no pid`);
      return Promise.resolve({ pid: child.pid, close: stopper(child, 'SIGKILL') });
    },
  };
}

function serviceVariant(name: string, embedded: boolean, nodeOptions?: string): Variant {
  return {
    name,
    start: async (f) => {
      const port = await freePort();
      const env: Record<string, string> = {
        ...f.baseEnv,
        ROLE: 'all',
        LOG_LEVEL: 'warn',
        AMQP_URL: amqpUrl,
        AMQP_PREFIX: f.prefix,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
      };
      if (nodeOptions !== undefined) env.NODE_OPTIONS = nodeOptions;
      let directory: string | undefined;
      if (embedded) {
        directory = await mkdtemp(join(tmpdir(), 'idle-s3-'));
        env.EMBEDDED_S3_DIR = directory;
        env.EMBEDDED_S3_PORT = String(await freePort());
      } else {
        Object.assign(env, {
          S3_ENDPOINT: f.s3.endpoint,
          S3_REGION: f.s3.region,
          S3_ACCESS_KEY_ID: f.s3.credentials.accessKeyId,
          S3_SECRET_ACCESS_KEY: f.s3.credentials.secretAccessKey,
          S3_BUCKET: f.bucket,
          DISTRIBUTION_BASE_URL: `${f.s3.endpoint}/${f.bucket}/`,
        });
      }
      const child = spawn(process.execPath, ['dist/main.js'], {
        env,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const stop = stopper(child, 'SIGTERM');
      const close = async (): Promise<void> => {
        await stop();
        if (directory !== undefined) await rm(directory, { recursive: true, force: true });
      };
      for (let i = 0; ; i++) {
        const ready = await fetch(`http://127.0.0.1:${port}/ready`).then(
          (res) => res.ok,
          () => false,
        );
        if (ready) break;
        if (i > 150 || child.exitCode !== null) {
          await close();
          throw new Error(`${name}: not ready within 30 s`);
        }
        await sleep(200);
      }
      if (child.pid === undefined) throw new Error(`${name}: no pid`);
      return { pid: child.pid, close };
    },
  };
}

const BASELINE = 'node + client-s3 + one S3Client';
const VARIANTS: readonly Variant[] = [
  evalVariant('bare node', ''),
  evalVariant(BASELINE, SDK),
  ...Object.entries(LIBRARIES).map(([name, library]) =>
    evalVariant(`baseline + ${name}`, SDK + importing(library.modules)),
  ),
  evalVariant('baseline + all libraries', SDK + importing(ALL_LIBRARIES)),
  evalVariant(
    'baseline + all libraries + dist/service.js (not started)',
    SDK + importing([...ALL_LIBRARIES, './dist/service.js']),
  ),
  serviceVariant('service ROLE=all with S3_ENDPOINT', false),
  serviceVariant(
    'service + NODE_OPTIONS=--max-semi-space-size=2',
    false,
    '--max-semi-space-size=2',
  ),
  serviceVariant('service with the embedded S3 (README default)', true),
];

function fmt(n: number): string {
  return n.toFixed(1);
}

async function main(): Promise<void> {
  const only = process.env.MEASURE_VARIANTS?.split(',').map((s) => s.trim());
  const variants = VARIANTS.filter((v) => only === undefined || only.includes(v.name));
  const s3 = await startTestS3();
  const prefix = testPrefix();
  const baseEnv = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  // The children's memory should not depend on options this process was started with.
  delete baseEnv.NODE_OPTIONS;
  // Node 20: the SDK warns once per process; the service switches that off, so do all.
  baseEnv[SDK_WARNING_SWITCH] = 'true';
  const fixtures: Fixtures = { s3, bucket: await s3.createBucket(), prefix, baseEnv };
  const samples = new Map<string, number[]>();
  try {
    for (let round = 0; round < rounds; round++) {
      const shift = round % variants.length;
      const order = [...variants.slice(shift), ...variants.slice(0, shift)];
      process.stderr.write(`round ${round + 1}/${rounds}\n`);
      for (const variant of order) {
        const running = await variant.start(fixtures);
        try {
          await sleep(settleMs);
          const rss = memoryMiB(running.pid, 'VmRSS');
          samples.set(variant.name, [...(samples.get(variant.name) ?? []), rss]);
        } finally {
          await running.close();
        }
      }
    }
  } finally {
    await deleteTestTopology(amqpUrl, prefix).catch(() => undefined);
    await s3.close();
  }

  const base = samples.get(BASELINE);
  const baseMedian = base === undefined || base.length === 0 ? undefined : median(base);
  const lines = [
    `Idle VmRSS ${settleMs / 1000} s after start (the service: after /ready), ` +
      `${rounds} interleaved rounds, node ${process.version}, ` +
      `the service's S3_ENDPOINT: ${s3.kind} (in this process)`,
    '',
    '| variant | VmRSS MiB, median (min–max) | Δ median vs baseline |',
    '| --- | --- | --- |',
  ];
  for (const [name, values] of samples) {
    const m = median(values);
    const delta =
      baseMedian === undefined || name === BASELINE
        ? '—'
        : `${m >= baseMedian ? '+' : ''}${fmt(m - baseMedian)}`;
    const range = `${fmt(Math.min(...values))}–${fmt(Math.max(...values))}`;
    lines.push(`| ${name} | ${fmt(m)} (${range}) | ${delta} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
