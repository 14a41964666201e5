/**
 * Time from the async POST (Opencast's remote proxy) to FINISHED as Opencast's JobBarrier
 * sees it, for OPENCAST_DISPATCH=opencast (the job waits for the admin node's dispatcher)
 * and OPENCAST_DISPATCH=immediate (published at once). Each mode runs as its own service in
 * its own test cluster (admin-node double + service in-process, real RabbitMQ and S3
 * server); rounds alternate between the modes so machine load hits both alike.
 *
 *   npm run measure:opencast
 *   MEASURE_ROUNDS=40 MEASURE_DISPATCH_INTERVAL_MS=2000 npm run measure:opencast
 *
 * Each POST comes after a random pause of up to one dispatcher interval, so it lands at a
 * random point of the dispatcher's cycle, as workflow operations do. Two figures per mode: "registry" polls the job row every 5 ms (when FINISHED is in
 * Opencast's table); "barrier 5 s" is what Opencast's JobBarrier reports, which checks at
 * once and then every 5 s, so it rounds the registry figure up to the next poll.
 */
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  SERVICE_TYPE,
  jobIdOf,
  startClusterStack,
  testMediapackage,
  type ClusterStack,
} from '../test/integration/opencast-cluster/cluster-stack.js';

const rounds = Number(process.env.MEASURE_ROUNDS ?? 20);
const dispatchIntervalMs = Number(process.env.MEASURE_DISPATCH_INTERVAL_MS ?? 2000);
const BARRIER_POLL_MS = 5000;
const modes = ['opencast', 'immediate'] as const;
type Mode = (typeof modes)[number];

interface Sample {
  /** POST sent → FINISHED seen in the registry (5 ms polls). */
  registryMs: number;
  /** The same, as a barrier polling at once and then every 5 s would report it. */
  barrierMs: number;
}

async function measureOnce(c: ClusterStack): Promise<Sample> {
  // A random pause first: POSTs right after the previous job finished would be phase-locked
  // to the dispatcher's rounds and always wait nearly a whole interval.
  await sleep(Math.random() * dispatchIntervalMs);
  const mp = testMediapackage(c.stack.sources.baseUrl);
  c.stack.sources.set(mp.files['episode-dc'] ?? '', '<dublincore>episode</dublincore>');
  const started = performance.now();
  const res = await c.distribute(mp, ['episode-dc'], { currentJobId: c.workflowJob() });
  if (res.status !== 200) throw new Error(`async distribute answered ${res.status}: ${res.body}`);
  const answered = performance.now();
  const result = await c.oc.waitForJob(jobIdOf(res.body), { intervalMs: 5 });
  const finished = performance.now();
  if (result.status !== 'FINISHED') throw new Error(`job ended ${result.status}`);
  const afterAnswer = finished - answered;
  return {
    registryMs: finished - started,
    barrierMs: answered - started + Math.ceil(afterAnswer / BARRIER_POLL_MS) * BARRIER_POLL_MS,
  };
}

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 0
      ? ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2
      : (sorted[mid] ?? NaN);
  return { median, min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN };
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

const clusters = new Map<Mode, ClusterStack>();
try {
  for (const mode of modes) {
    const c = await startClusterStack({
      dispatch: mode,
      dispatchIntervalMs,
      // Opencast's heartbeat runs every 60 s; it does not touch the measured path.
      heartbeatIntervalMs: null,
      env: { OPENCAST_MEMBERSHIP_INTERVAL_MS: '30000', CHECK_AVAILABILITY_TRIES: '1' },
    });
    clusters.set(mode, c);
  }
  const samples = new Map<Mode, Sample[]>(modes.map((m) => [m, []]));
  // One warm-up each (connections, JIT), not counted.
  for (const mode of modes) {
    const c = clusters.get(mode);
    if (c !== undefined) {
      await waitRegistered(c);
      await measureOnce(c);
    }
  }
  for (let round = 0; round < rounds; round++) {
    const order: readonly Mode[] = round % 2 === 0 ? modes : [...modes].reverse();
    for (const mode of order) {
      const c = clusters.get(mode);
      if (c !== undefined) samples.get(mode)?.push(await measureOnce(c));
    }
  }
  printTable(samples);
} finally {
  for (const c of clusters.values()) await c.close();
}

async function waitRegistered(c: ClusterStack): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (c.oc.tables.registration(SERVICE_TYPE, c.hostUrl)?.online !== true) {
    if (Date.now() > deadline) throw new Error('the service did not register');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function printTable(samples: Map<Mode, Sample[]>): void {
  const row = (mode: Mode, pick: (s: Sample) => number) => {
    const s = stats((samples.get(mode) ?? []).map(pick));
    return { ...s, text: `median ${fmt(s.median)}, min ${fmt(s.min)}, max ${fmt(s.max)}` };
  };
  const lines = [
    `Command: \`MEASURE_ROUNDS=${rounds} MEASURE_DISPATCH_INTERVAL_MS=${dispatchIntervalMs} npm run measure:opencast\``,
    `Machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; RabbitMQ local, S3 server and admin-node double in-process, loopback`,
    `Date: ${new Date().toISOString()}; one 33-byte catalog per job, ${rounds} interleaved rounds per mode after one warm-up, each POST after a random pause of up to one dispatcher interval`,
    '',
    '| OPENCAST_DISPATCH | POST → FINISHED in the registry | as JobBarrier sees it (5 s polls) |',
    '| --- | --- | --- |',
  ];
  const registry = new Map<Mode, number>();
  for (const mode of modes) {
    const r = row(mode, (s) => s.registryMs);
    const b = row(mode, (s) => s.barrierMs);
    registry.set(mode, r.median);
    lines.push(`| ${mode} | ${r.text} | ${b.text} |`);
  }
  const ratio = (registry.get('opencast') ?? NaN) / (registry.get('immediate') ?? NaN);
  lines.push(
    '',
    `Ratio of the registry medians, opencast / immediate: ${ratio.toFixed(1)}x (dispatcher every ${dispatchIntervalMs} ms, Opencast's admin default is 2000 ms).`,
  );
  console.log(lines.join('\n'));
}
