/**
 * Issue 9, API side: the cost of one request in the HTTP adapter, old build against new, in
 * interleaved rounds (old, new, new, old, ...) so machine load hits both alike. Three
 * measurements, each a fresh service process (`node <dir>/dist/main.js`) per round:
 *
 * - `accepts`: async `POST /distribution/s3` accepted per second with CLIENTS keep-alive
 *   clients for DURATION_MS (ROLE=api, nothing consumes), and the service's CPU per accept;
 *   against a raw amqplib loop publishing the same command body with confirms, RAW_WINDOW in
 *   flight, to the same topology.
 * - `sync`: p50 of SYNC_CALLS sequential small `distributesync` calls (one 2 KB catalog,
 *   ROLE=all) against a bare GET of the source plus PutObject from this process.
 * - `idle`: VmRSS of a ROLE=all process with S3_ENDPOINT set, 3 s after it is ready.
 *
 *   npm run build && OLD_DIR=/tmp/old npx tsx scripts/measure-api-hotpath.ts
 *   PHASES=accepts ROUNDS=5 CLIENTS=50 npx tsx scripts/measure-api-hotpath.ts
 *
 * PROFILE_DIR=/tmp/prof writes a CPU profile of every service process there;
 * NEW_NODE_FLAGS='--max-semi-space-size=2' runs the new build with those node options.
 * OLD_DIR is a build of main's code (`git archive main | tar -x -C DIR`, node_modules
 * linked, `npx tsc -p tsconfig.build.json`). Prints Markdown tables; ratios are new/old.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { connect } from 'amqplib';
import { encodeCommand } from '../src/contract/command-codec.js';
import { declareTopology, topologyNames } from '../src/messaging/topology.js';
import { deleteTestTopology, LOCAL_AMQP_URL, testPrefix } from '../test/helpers/rabbit.js';
import { serviceS3Env, startTestS3 } from '../test/helpers/s3.js';
import { startSourceServer } from '../test/helpers/source-server.js';

const rounds = Number(process.env.ROUNDS ?? 3);
const clients = Number(process.env.CLIENTS ?? 50);
const durationMs = Number(process.env.DURATION_MS ?? 5000);
const rawWindow = Number(process.env.RAW_WINDOW ?? 256);
const syncCalls = Number(process.env.SYNC_CALLS ?? 100);
const phases = (process.env.PHASES ?? 'accepts,sync,idle').split(',');
const builds = { old: process.env.OLD_DIR ?? '/tmp/perfa-old', new: process.env.NEW_DIR ?? '.' };
type Build = keyof typeof builds;
const only = process.env.ONLY as Build | undefined;
const amqpUrl = process.env.AMQP_URL ?? LOCAL_AMQP_URL;
const TICKS_PER_SECOND = 100;

const s3 = await startTestS3();
const sources = await startSourceServer();
const bucket = await s3.createBucket();
sources.set('episode.xml', `<dublincore>${'x'.repeat(2000)}</dublincore>`);
const mediapackage =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
  '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="bench-mp">' +
  `<media><track id="t1" type="presenter/delivery"><mimetype>video/mp4</mimetype>` +
  `<url>${sources.baseUrl}none.mp4</url><live>false</live></track></media>` +
  `<metadata><catalog id="c1" type="dublincore/episode"><mimetype>text/xml</mimetype>` +
  `<url>${sources.baseUrl}episode.xml</url></catalog></metadata><attachments/><publications/>` +
  '</mediapackage>';
const form = new URLSearchParams({
  channelId: 'bench',
  mediapackage,
  elementId: '["c1"]',
  checkAvailability: 'false',
}).toString();

/** A service process of one build, ready to serve. */
async function startService(build: Build, role: string, prefix: string) {
  const port = 20000 + Math.floor(Math.random() * 10000);
  // PROFILE_DIR: each service process writes a CPU profile there (node --cpu-prof).
  const profile = process.env.PROFILE_DIR;
  const flags = profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profile}`];
  // NEW_NODE_FLAGS: node options for the new build only, e.g. to compare heap settings.
  if (build === 'new') flags.push(...(process.env.NEW_NODE_FLAGS ?? '').split(' ').filter(Boolean));
  const child = spawn(process.execPath, [...flags, `${builds[build]}/dist/main.js`], {
    env: {
      ...process.env,
      ROLE: role,
      LOG_LEVEL: 'warn',
      HTTP_PORT: String(port),
      AMQP_URL: amqpUrl,
      AMQP_PREFIX: prefix,
      ...serviceS3Env(s3, bucket),
      SOURCE_ALLOWED_PREFIXES: sources.baseUrl,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ready = await fetch(`${url}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (i > 150 || child.exitCode !== null) throw new Error(`${build} did not become ready`);
    await sleep(100);
  }
  return { child, url, pid: child.pid ?? NaN };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]);
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN) / 1024;
}

function post(agent: Agent, url: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8',
          'Content-Length': Buffer.byteLength(form),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          resolve(res.statusCode ?? 0);
        });
      },
    );
    req.on('error', reject);
    req.end(form);
  });
}

/** Accepts per second and service CPU ms per accept, after a 1 s warm-up. */
async function accepts(build: Build): Promise<{ rate: number; cpuMs: number }> {
  const prefix = testPrefix();
  const service = await startService(build, 'api', prefix);
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  try {
    let counting = false;
    let ok = 0;
    let failed = 0;
    let running = true;
    const loops = Array.from({ length: clients }, async () => {
      while (running) {
        const status = await post(agent, service.url, '/distribution/s3');
        if (!counting) continue;
        if (status === 200) ok++;
        else failed++;
      }
    });
    await sleep(1000);
    counting = true;
    const ticks = cpuTicks(service.pid);
    const started = performance.now();
    await sleep(durationMs);
    counting = false;
    const seconds = (performance.now() - started) / 1000;
    const usedMs = ((cpuTicks(service.pid) - ticks) / TICKS_PER_SECOND) * 1000;
    running = false;
    await Promise.all(loops);
    if (failed > 0) throw new Error(`${build}: ${failed} requests failed`);
    return { rate: ok / seconds, cpuMs: usedMs / ok };
  } finally {
    agent.destroy();
    await stop(service.child);
    await deleteTestTopology(amqpUrl, prefix);
  }
}

/** Confirmed publishes per second of the command body, rawWindow in flight. */
async function rawPublish(): Promise<number> {
  const prefix = testPrefix();
  const names = topologyNames(prefix);
  const connection = await connect(amqpUrl);
  try {
    const channel = await connection.createConfirmChannel();
    await declareTopology(channel, names, { deliveryLimit: 5 });
    const { body, properties, routingKey } = encodeCommand(
      {
        version: 1,
        jobId: '1',
        type: 'distribute',
        organization: 'mh_default_org',
        channelId: 'bench',
        mediapackage,
        elementIds: ['c1'],
        checkAvailability: false,
      },
      `${prefix}.replies`,
    );
    let ok = 0;
    let running = true;
    let counting = false;
    const publishOne = () =>
      new Promise<void>((resolve, reject) => {
        channel.publish(
          names.commandsExchange,
          routingKey,
          body,
          { ...properties, persistent: true, contentType: 'application/json' },
          (error) => {
            if (error) reject(new Error('nacked'));
            else resolve();
          },
        );
      });
    const loops = Array.from({ length: rawWindow }, async () => {
      while (running) {
        await publishOne();
        if (counting) ok++;
      }
    });
    await sleep(1000);
    counting = true;
    const started = performance.now();
    await sleep(durationMs);
    counting = false;
    const seconds = (performance.now() - started) / 1000;
    running = false;
    await Promise.all(loops);
    return ok / seconds;
  } finally {
    await connection.close();
    await deleteTestTopology(amqpUrl, prefix);
  }
}

function p50(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** p50 ms of small sequential distributesync calls, after 10 warm-up calls. */
async function syncCallsP50(build: Build): Promise<number> {
  const prefix = testPrefix();
  const service = await startService(build, 'all', prefix);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const times: number[] = [];
    for (let i = 0; i < syncCalls + 10; i++) {
      const started = performance.now();
      const status = await post(agent, service.url, '/distribution/s3/distributesync');
      if (status !== 200) throw new Error(`${build}: distributesync answered ${status}`);
      if (i >= 10) times.push(performance.now() - started);
    }
    return p50(times);
  } finally {
    agent.destroy();
    await stop(service.child);
    await deleteTestTopology(amqpUrl, prefix);
  }
}

/** p50 ms of what a sync call does at least: GET the source, PutObject it. */
async function bareP50(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < syncCalls + 10; i++) {
    const started = performance.now();
    const res = await fetch(`${sources.baseUrl}episode.xml`);
    const body = Buffer.from(await res.arrayBuffer());
    await s3.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: `bare/${i}/episode.xml`, Body: body }),
    );
    if (i >= 10) times.push(performance.now() - started);
  }
  return p50(times);
}

async function idleRss(build: Build): Promise<number> {
  const prefix = testPrefix();
  const service = await startService(build, 'all', prefix);
  try {
    await sleep(3000);
    return rssMiB(service.pid);
  } finally {
    await stop(service.child);
    await deleteTestTopology(amqpUrl, prefix);
  }
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const fmt = (v: number | undefined) => (v ?? NaN).toFixed(3);
  return `median ${fmt(p50(sorted))}, min ${fmt(sorted[0])}, max ${fmt(sorted.at(-1))}`;
}

const out: string[] = [];
try {
  for (const phase of phases) {
    const lines: string[] = [];
    const ratios: number[] = [];
    const extra: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const both: Build[] = round % 2 === 0 ? ['old', 'new'] : ['new', 'old'];
      // ONLY=new: one build (for profiling); the ratios are then NaN.
      const order = only === undefined ? both : [only];
      const result: Partial<Record<Build, number>> = {};
      let note = '';
      for (const build of order) {
        if (phase === 'accepts') {
          const { rate, cpuMs } = await accepts(build);
          result[build] = rate;
          note += ` ${build} ${cpuMs.toFixed(3)} CPU ms/accept;`;
        } else if (phase === 'sync') {
          result[build] = await syncCallsP50(build);
        } else if (phase === 'idle') {
          result[build] = await idleRss(build);
        }
      }
      let reference = NaN;
      if (phase === 'accepts') reference = await rawPublish();
      if (phase === 'sync') reference = await bareP50();
      const ratio = (result.new ?? NaN) / (result.old ?? NaN);
      ratios.push(ratio);
      if (phase === 'accepts') extra.push((result.new ?? NaN) / reference);
      if (phase === 'sync') extra.push((result.new ?? NaN) - reference);
      lines.push(
        `| ${phase} | ${round + 1} | ${(result.old ?? NaN).toFixed(1)} | ${(result.new ?? NaN).toFixed(1)} | ${ratio.toFixed(3)} | ${reference.toFixed(1)} |${note}`,
      );
      process.stderr.write(`${lines.at(-1) ?? ''}\n`);
    }
    out.push(
      '',
      `### ${phase} (${phase === 'accepts' ? 'accepts/s; reference: raw confirm publishes/s' : phase === 'sync' ? 'p50 ms; reference: bare GET+PutObject p50 ms' : 'idle VmRSS MiB'})`,
      '',
      '| phase | round | old | new | new/old | reference | notes',
      '|---|---|---|---|---|---|---|',
      ...lines,
      '',
      `new/old: ${summary(ratios)}`,
    );
    if (phase === 'accepts') out.push(`new/raw: ${summary(extra)}`);
    if (phase === 'sync') out.push(`new - bare (ms): ${summary(extra)}`);
  }
} finally {
  await sources.close();
  await s3.close();
}
process.stdout.write(
  `Command: PHASES=${phases.join(',')} ROUNDS=${rounds} CLIENTS=${clients} DURATION_MS=${durationMs} RAW_WINDOW=${rawWindow} SYNC_CALLS=${syncCalls} npx tsx scripts/measure-api-hotpath.ts\n${out.join('\n')}\n`,
);
