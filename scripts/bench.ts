/**
 * The benchmark: each case of the service beside its baseline, in interleaved rounds, on
 * this machine's RabbitMQ and an S3 server and HTTP source the bench starts. Absolute
 * figures drift several-fold on shared machines; the per-round ratio to a baseline measured
 * right beside it drifts much less, so the table judges ratios (median, min, max).
 *
 *   npm run bench                 # full: 256 MiB, 1 GiB, 4 GiB; 5 rounds (3 for large files)
 *   npm run bench -- --quick      # or BENCH_QUICK=1: 64 and 256 MiB, 3 rounds, a few minutes
 *   BENCH_LARGE_MB=256,1024 BENCH_ROUNDS=3 BENCH_CASES=large,idle npm run bench
 *
 * The service runs as `node dist/main.js`; baselines are small scripts (scripts/bench/,
 * compiled to dist/bench/) run by plain node as children, so CPU time (/proc/<pid>/stat) and
 * peak RSS (VmHWM, reset before each run) are read the same way for both. The S3 server and
 * source run in a fixture process of their own. Variables the service reads (e.g.
 * WORKER_CONCURRENCY, S3_PART_SIZE_MB) pass through to it; the lib-storage baseline uses the
 * same part size and queue size. Writes bench-results/latest.md and latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { connect } from 'amqplib';
import { topologyNames } from '../src/messaging/topology.js';
import { createS3Client } from '../src/storage/s3-client.js';
import { deleteTestTopology, LOCAL_AMQP_URL, testPrefix } from '../test/helpers/rabbit.js';
import { largeName, SMALL_NAME, type FixtureInfo } from './bench/fixture-info.js';
import { benchOptions, type BenchOptions } from './bench/options.js';
import {
  awsCliVersion,
  runAwsCli,
  runBaseline,
  startFixtures,
  startService,
  type ServiceProcess,
} from './bench/processes.js';
import { keepAliveClient } from './bench/keep-alive-client.js';
import { memoryMiB, startUsage } from './bench/proc.js';
import { computeRow, renderTable, Results, type RowSpec } from './bench/report.js';
import { percentile, turnOrder } from './bench/stats.js';

// The SDK's notice that it will need Node 22 would repeat in every child's stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const options: BenchOptions = benchOptions(process.env, process.argv.slice(2));
const amqpUrl = process.env.TEST_AMQP_URL ?? LOCAL_AMQP_URL;
const partSizeMiB = Number(process.env.S3_PART_SIZE_MB ?? 8);
const queueSize = Number(process.env.S3_UPLOAD_QUEUE_SIZE ?? 4);
const results = new Results();
const notes: string[] = [];
const loadBefore = loadavg();

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function mediapackage(id: string, trackUrl: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    `<mediapackage xmlns="http://mediapackage.opencastproject.org" id="${id}">` +
    `<media><track id="t1" type="presenter/delivery"><mimetype>video/mp4</mimetype>` +
    `<url>${trackUrl}</url><live>false</live></track></media>` +
    '<metadata/><attachments/><publications/></mediapackage>'
  );
}

function form(mpId: string, channel: string, trackUrl: string): string {
  return new URLSearchParams({
    channelId: channel,
    mediapackage: mediapackage(mpId, trackUrl),
    elementId: '["t1"]',
    checkAvailability: 'false',
  }).toString();
}

/**
 * POSTs a form with `fetch`; resolves with the time to the whole answer; throws unless 200.
 * For single callers; the concurrent ones use a {@link keepAliveClient}, which costs the
 * bench's process less CPU on the cores it shares with the service.
 */
async function post(url: string, body: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
    body,
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return performance.now() - started;
}

/** Runs `count` calls of `call(n)` with `lanes` at once. */
async function inLanes(count: number, lanes: number, call: (n: number) => Promise<unknown>) {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) await call(next++);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, count) }, lane));
}

/** Checks that `key` holds `bytes` bytes, then deletes it (the S3 server's disk is finite). */
async function verifyAndDelete(s3: S3Client, bucket: string, key: string, bytes: number) {
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  if (head.ContentLength !== bytes) {
    throw new Error(`s3://${bucket}/${key} holds ${head.ContentLength} bytes, not ${bytes}`);
  }
}

interface Context {
  readonly fixtures: FixtureInfo;
  readonly s3: S3Client;
  /**
   * The service for the large files and the one for small elements: two processes with
   * prefixes of their own, so that the 50-caller rounds leave nothing in the heap that the
   * large files' peak RSS would count, and no command goes to the other.
   */
  readonly large: ServiceProcess;
  readonly small: ServiceProcess;
  readonly serviceEnv: Record<string, string>;
  readonly awsCli: boolean;
}

/** A contender of one case in one round. */
type Turn = () => Promise<void>;

function largeTurns(c: Context, mib: number, round: number): Turn[] {
  const bytes = mib * MiB;
  const sourceUrl = `${c.fixtures.sourceBaseUrl}${largeName(bytes)}`;
  const id = `large-${mib}`;
  const record = (who: string, wallMs: number, cpu: number, peak: number): void => {
    results.set(`${id}/${who}/MiB/s`, round, mib / (wallMs / 1000));
    results.set(`${id}/${who}/cpu-s/GiB`, round, cpu / (bytes / GiB));
    results.set(`${id}/${who}/peak-rss`, round, peak);
  };
  const turns: Turn[] = [
    async () => {
      const mp = `bench-large-${mib}-${round}`;
      const finish = startUsage(c.large.pid);
      const ms = await post(
        `${c.large.url}/distribution/s3/distributesync`,
        form(mp, 'bench', sourceUrl),
      );
      const usage = finish();
      record('service', ms, usage.cpuSeconds, usage.peakRssMiB);
      const key = `mh_default_org/bench/${mp}/t1/${largeName(bytes)}`;
      await verifyAndDelete(c.s3, c.fixtures.bucket, key, bytes);
    },
    async () => {
      const key = `baseline/lib-storage/${round}/${largeName(bytes)}`;
      const run = await runBaseline('baseline-upload', {
        ...s3Target(c.fixtures),
        sourceUrl,
        key,
        partSizeBytes: partSizeMiB * MiB,
        queueSize,
      });
      record('lib-storage', run.wallMs, run.usage.cpuSeconds, run.usage.peakRssMiB);
      await verifyAndDelete(c.s3, c.fixtures.bucket, key, bytes);
    },
  ];
  if (c.awsCli) {
    turns.push(async () => {
      const key = `baseline/aws-cli/${round}/${largeName(bytes)}`;
      const run = await runAwsCli(sourceUrl, c.fixtures, key, bytes);
      record('aws-cli', run.wallMs, run.cpuSeconds, run.peakRssMiB);
      await verifyAndDelete(c.s3, c.fixtures.bucket, key, bytes);
    });
  }
  return turns;
}

function s3Target(f: FixtureInfo) {
  const { endpoint, region, accessKeyId, secretAccessKey, bucket } = f;
  return { endpoint, region, accessKeyId, secretAccessKey, bucket };
}

function smallTurns(c: Context, round: number): Turn[][] {
  const sourceUrl = `${c.fixtures.sourceBaseUrl}${SMALL_NAME}`;
  const sync = `${c.small.url}/distribution/s3/distributesync`;
  const concurrent: Turn[] = [
    async () => {
      const client = keepAliveClient(options.concurrency);
      const finish = startUsage(c.small.pid);
      const started = performance.now();
      try {
        await inLanes(options.smallCount, options.concurrency, (n) =>
          client.postForm(sync, form(`small-c-${round}-${n}`, 'bench-small', sourceUrl)),
        );
      } finally {
        client.close();
      }
      const seconds = (performance.now() - started) / 1000;
      const usage = finish();
      results.set('small-concurrent/service/elements/s', round, options.smallCount / seconds);
      results.set(
        'small-concurrent/service/cpu-ms',
        round,
        (usage.cpuSeconds * 1000) / options.smallCount,
      );
      results.set('small-concurrent/service/peak-rss', round, usage.peakRssMiB);
    },
    async () => {
      const run = await runBaseline('baseline-small', {
        ...s3Target(c.fixtures),
        sourceUrl,
        keyPrefix: `baseline/small-c/${round}/`,
        count: options.smallCount,
        concurrency: options.concurrency,
      });
      results.set(
        'small-concurrent/bare/elements/s',
        round,
        options.smallCount / (run.wallMs / 1000),
      );
      results.set(
        'small-concurrent/bare/cpu-ms',
        round,
        (run.usage.cpuSeconds * 1000) / options.smallCount,
      );
      results.set('small-concurrent/bare/peak-rss', round, run.usage.peakRssMiB);
    },
  ];
  const sequential: Turn[] = [
    async () => {
      const latencies: number[] = [];
      for (let n = 0; n < options.sequentialCount; n++) {
        latencies.push(await post(sync, form(`small-s-${round}-${n}`, 'bench-small', sourceUrl)));
      }
      results.set('small-sequential/service/p50', round, percentile(latencies, 50));
    },
    async () => {
      const run = await runBaseline<{ latenciesMs: number[] }>('baseline-small', {
        ...s3Target(c.fixtures),
        sourceUrl,
        keyPrefix: `baseline/small-s/${round}/`,
        count: options.sequentialCount,
        concurrency: 1,
      });
      results.set('small-sequential/bare/p50', round, percentile(run.result.latenciesMs, 50));
    },
  ];
  return [concurrent, sequential];
}

/** The async case's own API-only service (so no worker competes) and its message size. */
interface AcceptsContext {
  readonly api: ServiceProcess;
  readonly prefix: string;
  readonly messageBytes: number;
  close(): Promise<void>;
}

/**
 * Untimed accepts before the rounds: a 1000-accept round on a fresh process otherwise
 * measures V8 compiling the hot path (the first few thousand requests run unoptimized).
 */
const ACCEPTS_WARM_UP = 4000;

async function startAccepts(c: Context): Promise<AcceptsContext> {
  const prefix = testPrefix();
  const api = await startService({ ...c.serviceEnv, ROLE: 'api', AMQP_PREFIX: prefix });
  const workQueue = topologyNames(prefix).workQueue;
  const url = `${api.url}/distribution/s3`;
  const sourceUrl = `${c.fixtures.sourceBaseUrl}${SMALL_NAME}`;
  // One request first: shows the size of a command message.
  await post(url, form('accepts-probe', 'bench-async', sourceUrl));
  const connection = await connect(amqpUrl);
  const channel = await connection.createChannel();
  const message = await channel.get(workQueue, { noAck: true });
  if (message === false) {
    await connection.close();
    throw new Error(`no command reached ${workQueue}`);
  }
  log(`async accepts: ${ACCEPTS_WARM_UP} untimed accepts to warm the service up`);
  const client = keepAliveClient(options.concurrency);
  try {
    await inLanes(ACCEPTS_WARM_UP, options.concurrency, (n) =>
      client.postForm(url, form(`accept-warm-${n}`, 'bench-async', sourceUrl)),
    );
  } finally {
    client.close();
  }
  await channel.purgeQueue(workQueue);
  await connection.close();
  return {
    api,
    prefix,
    messageBytes: message.content.length,
    close: async () => {
      await api.close();
      await deleteTestTopology(amqpUrl, prefix);
    },
  };
}

async function purge(queue: string): Promise<void> {
  const connection = await connect(amqpUrl);
  const channel = await connection.createChannel();
  await channel.purgeQueue(queue);
  await connection.close();
}

function acceptTurns(a: AcceptsContext, c: Context, round: number): Turn[] {
  const url = `${a.api.url}/distribution/s3`;
  const sourceUrl = `${c.fixtures.sourceBaseUrl}${SMALL_NAME}`;
  return [
    async () => {
      // Fresh connections each round, as each round of the baseline opens its own.
      const client = keepAliveClient(options.concurrency);
      const finish = startUsage(a.api.pid);
      const started = performance.now();
      try {
        await inLanes(options.acceptCount, options.concurrency, (n) =>
          client.postForm(url, form(`accept-${round}-${n}`, 'bench-async', sourceUrl)),
        );
      } finally {
        client.close();
      }
      const seconds = (performance.now() - started) / 1000;
      const usage = finish();
      results.set('accepts/service/per-s', round, options.acceptCount / seconds);
      results.set('accepts/service/cpu-ms', round, (usage.cpuSeconds * 1000) / options.acceptCount);
      // The queue would grow by every round's commands; nobody consumes them.
      await purge(topologyNames(a.prefix).workQueue);
    },
    async () => {
      const run = await runBaseline('baseline-publish', {
        amqpUrl,
        queue: `${testPrefix()}.bench-publish`,
        count: options.acceptCount,
        inFlight: 256,
        messageBytes: a.messageBytes,
      });
      results.set('accepts/amqplib/per-s', round, options.acceptCount / (run.wallMs / 1000));
      results.set(
        'accepts/amqplib/cpu-ms',
        round,
        (run.usage.cpuSeconds * 1000) / options.acceptCount,
      );
    },
  ];
}

const IDLE_SETTLE_MS = 3000;

function idleTurns(c: Context, round: number): Turn[] {
  return [
    async () => {
      const fresh = await startService(c.serviceEnv);
      try {
        await sleep(IDLE_SETTLE_MS);
        results.set('idle/service/rss', round, memoryMiB(fresh.pid, 'VmRSS'));
      } finally {
        await fresh.close();
      }
    },
    async () => {
      await runBaseline('baseline-idle', s3Target(c.fixtures), async (pid) => {
        await sleep(IDLE_SETTLE_MS);
        results.set('idle/sdk/rss', round, memoryMiB(pid, 'VmRSS'));
      });
    },
  ];
}

async function runTurns(label: string, turns: Turn[], round: number): Promise<void> {
  log(`round ${round + 1}: ${label}`);
  for (const turn of turnOrder(turns, round)) await turn();
}

function rowSpecs(awsCli: boolean): RowSpec[] {
  const rows: RowSpec[] = [];
  const has = (group: BenchOptions['cases'][number]): boolean => options.cases.includes(group);
  if (has('large')) {
    for (const mib of options.largeMiB) {
      const id = `large-${mib}`;
      rows.push({
        label: `large file ${mib} MiB, HTTP source: throughput vs bare lib-storage Upload`,
        service: `${id}/service/MiB/s`,
        baseline: `${id}/lib-storage/MiB/s`,
        unit: 'MiB/s',
        compare: 'ratio',
        target: { on: 'ratio', op: '>=', bound: 1 },
      });
      if (awsCli) {
        rows.push({
          label: `large file ${mib} MiB, HTTP source: throughput vs curl piped into \`aws s3 cp -\``,
          service: `${id}/service/MiB/s`,
          baseline: `${id}/aws-cli/MiB/s`,
          unit: 'MiB/s',
          compare: 'ratio',
          target: { on: 'ratio', op: '>=', bound: 1 },
        });
      }
      rows.push({
        label: `large file ${mib} MiB: CPU per GiB vs bare lib-storage`,
        service: `${id}/service/cpu-s/GiB`,
        baseline: `${id}/lib-storage/cpu-s/GiB`,
        unit: 'CPU s/GiB',
        compare: 'ratio',
        target: { on: 'ratio', op: '<=', bound: 1.15 },
      });
      rows.push({
        label: `large file ${mib} MiB: peak RSS vs bare lib-storage`,
        service: `${id}/service/peak-rss`,
        baseline: `${id}/lib-storage/peak-rss`,
        unit: 'MiB',
        compare: 'ratio',
        target: { on: 'ratio', op: '<=', bound: 1.1 },
      });
    }
    const smallest = options.largeMiB[0];
    const largest = options.largeMiB.at(-1);
    if (smallest !== undefined && largest !== undefined && largest !== smallest) {
      rows.push({
        label: `service peak RSS at ${largest} MiB vs at ${smallest} MiB`,
        service: `large-${largest}/service/peak-rss`,
        baseline: `large-${smallest}/service/peak-rss`,
        unit: 'MiB',
        compare: 'ratio',
        target: { on: 'ratio', op: '<=', bound: 1.1 },
        note: 'flat',
      });
      rows.push({
        label: `bare lib-storage peak RSS at ${largest} MiB vs at ${smallest} MiB (information)`,
        service: `large-${largest}/lib-storage/peak-rss`,
        baseline: `large-${smallest}/lib-storage/peak-rss`,
        unit: 'MiB',
        compare: 'ratio',
      });
    }
  }
  if (has('idle')) {
    rows.push({
      label: 'idle process RSS vs node + @aws-sdk/client-s3 loaded',
      service: 'idle/service/rss',
      baseline: 'idle/sdk/rss',
      unit: 'MiB',
      compare: 'ratio',
      target: { on: 'service', op: '<=', bound: 75 },
    });
  }
  if (has('small')) {
    rows.push({
      label: `small elements (${options.smallKiB} KiB), ${options.concurrency} concurrent sync callers vs bare GET + PutObject`,
      service: 'small-concurrent/service/elements/s',
      baseline: 'small-concurrent/bare/elements/s',
      unit: 'elements/s',
      compare: 'ratio',
      target: { on: 'ratio', op: '>=', bound: 0.7 },
    });
    rows.push({
      label: `small elements, ${options.concurrency} concurrent: CPU per element (information)`,
      service: 'small-concurrent/service/cpu-ms',
      baseline: 'small-concurrent/bare/cpu-ms',
      unit: 'CPU ms',
      compare: 'ratio',
    });
    rows.push({
      label: 'small elements, sequential sync calls: p50 vs bare GET + PutObject p50',
      service: 'small-sequential/service/p50',
      baseline: 'small-sequential/bare/p50',
      unit: 'ms',
      compare: 'difference',
      target: { on: 'difference', op: '<=', bound: 3 },
    });
  }
  if (has('accepts')) {
    rows.push({
      label: `async accepts (POST /distribution/s3), ${options.concurrency} clients vs amqplib confirm-publish, 256 in flight`,
      service: 'accepts/service/per-s',
      baseline: 'accepts/amqplib/per-s',
      unit: '/s',
      compare: 'ratio',
      target: { on: 'ratio', op: '>=', bound: 0.2 },
    });
    rows.push({
      label: 'async accepts: CPU per accept (information; the bench’s HTTP clients not counted)',
      service: 'accepts/service/cpu-ms',
      baseline: 'accepts/amqplib/cpu-ms',
      unit: 'CPU ms',
      compare: 'ratio',
    });
  }
  return rows;
}

/** The rounds and sizes of the cases that ran, for the report's header. */
function describeRounds(): string {
  const parts = [`${options.rounds} rounds`];
  if (options.cases.includes('large')) {
    parts.push(
      `large files: ${options.largeRounds} rounds, part size ${partSizeMiB} MiB × ${queueSize} in flight`,
    );
  }
  if (options.cases.includes('small')) {
    parts.push(
      `small: ${options.smallCount} concurrent + ${options.sequentialCount} sequential calls per round`,
    );
  }
  if (options.cases.includes('accepts')) parts.push(`accepts: ${options.acceptCount} per round`);
  return parts.join('; ');
}

async function main(): Promise<void> {
  const started = new Date();
  const awsVersion =
    options.cases.includes('large') && options.awsCli ? await awsCliVersion() : undefined;
  if (options.awsCli && options.cases.includes('large') && awsVersion === undefined) {
    notes.push('`aws` is not installed: the `aws s3 cp` baseline was skipped.');
  }
  const prefixes = [testPrefix(), testPrefix()] as const;
  const fixtures = await startFixtures({
    largeSizes: options.largeMiB.map((mib) => mib * MiB),
    smallBytes: options.smallKiB * 1024,
  });
  const info = fixtures.info;
  const s3 = createS3Client({
    region: info.region,
    endpoint: info.endpoint,
    credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey },
  });
  const serviceEnv: Record<string, string> = {
    ...(Object.fromEntries(
      Object.entries(process.env).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    ) as Record<string, string>),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    AMQP_URL: amqpUrl,
    S3_ENDPOINT: info.endpoint,
    S3_REGION: info.region,
    S3_ACCESS_KEY_ID: info.accessKeyId,
    S3_SECRET_ACCESS_KEY: info.secretAccessKey,
    S3_BUCKET: info.bucket,
    DISTRIBUTION_BASE_URL: `${info.endpoint}/${info.bucket}/`,
    SOURCE_ALLOWED_PREFIXES: info.sourceBaseUrl,
    SYNC_TIMEOUT_MS: '1800000',
  };
  const services: ServiceProcess[] = [];
  let accepts: AcceptsContext | undefined;
  try {
    for (const prefix of prefixes) {
      services.push(await startService({ ...serviceEnv, AMQP_PREFIX: prefix }));
    }
    const [large, small] = services;
    if (large === undefined || small === undefined) throw new Error('no service');
    const c: Context = {
      fixtures: info,
      s3,
      large,
      small,
      serviceEnv: { ...serviceEnv, AMQP_PREFIX: prefixes[1] },
      awsCli: awsVersion !== undefined,
    };
    const has = (group: BenchOptions['cases'][number]): boolean => options.cases.includes(group);
    if (has('accepts')) accepts = await startAccepts(c);
    // Warm-up: one call of each kind the rounds make, so no round pays for a cold start.
    log('warm-up');
    for (const service of services) {
      for (let n = 0; n < 5; n++) {
        await post(
          `${service.url}/distribution/s3/distributesync`,
          form(`warm-${n}`, 'bench-warm-up', `${info.sourceBaseUrl}${SMALL_NAME}`),
        );
      }
    }
    const rounds = Math.max(options.rounds, has('large') ? options.largeRounds : 0);
    for (let round = 0; round < rounds; round++) {
      if (round < options.rounds) {
        if (has('idle')) await runTurns('idle RSS', idleTurns(c, round), round);
        if (has('small')) {
          const [concurrent, sequential] = smallTurns(c, round);
          await runTurns('small elements, concurrent', concurrent ?? [], round);
          await runTurns('small elements, sequential', sequential ?? [], round);
        }
        if (accepts !== undefined)
          await runTurns('async accepts', acceptTurns(accepts, c, round), round);
      }
      if (has('large') && round < options.largeRounds) {
        for (const mib of options.largeMiB) {
          await runTurns(`large file ${mib} MiB`, largeTurns(c, mib, round), round);
        }
      }
    }
  } finally {
    await accepts?.close();
    for (const service of services) await service.close();
    s3.destroy();
    log('stopping the fixtures (deletes the bucket and the S3 server’s directory)');
    await fixtures.close();
    for (const prefix of prefixes) await deleteTestTopology(amqpUrl, prefix);
  }
  const rows = rowSpecs(awsVersion !== undefined).map((spec) => computeRow(results, spec));
  const env = Object.entries(process.env)
    .filter(([k]) => k.startsWith('BENCH_'))
    .map(([k, v]) => `${k}=${v ?? ''} `)
    .join('');
  const args = process.argv.slice(2);
  const cpu = cpus();
  const loadAfter = loadavg();
  const fmtLoad = (l: number[]): string => l.map((v) => v.toFixed(2)).join(' ');
  const text = [
    `Command: \`${env}npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}\` (${options.quick ? 'quick' : 'full'} mode)`,
    `Machine: ${cpu.length} cores (${cpu[0]?.model ?? 'unknown'}), ${(totalmem() / GiB).toFixed(0)} GiB, Node ${process.version}; load average (1/5/15 min) ${fmtLoad(loadBefore)} at start, ${fmtLoad(loadAfter)} at end`,
    `Services: RabbitMQ ${amqpUrl.replace(/\/\/[^@]*@/, '//')}, S3: ${info.kind} (${info.endpoint}), HTTP source on loopback${awsVersion === undefined ? '' : `; ${awsVersion}`}`,
    `Date: ${started.toISOString()} to ${new Date().toISOString()}`,
    `Cases: ${options.cases.join(', ')}; ${describeRounds()}`,
    '',
    renderTable(rows),
    '',
    ...notes.map((note) => `- ${note}`),
    '',
  ].join('\n');
  process.stdout.write(`${text}\n`);
  mkdirSync('bench-results', { recursive: true });
  writeFileSync('bench-results/latest.md', text);
  writeFileSync('bench-results/latest.json', `${JSON.stringify({ options, results }, null, 2)}\n`);
}

await main();
