/**
 * Issue 8 item 9: does the API stay responsive while large mediapackages are checked?
 * Each round starts the HTTP adapter in a fresh child process, in one of two modes:
 *
 * - `before`: every mediapackage parsed inline on the event loop (the validation as it was);
 * - `after`:  large ones parsed on XML_PARSE_THREADS worker threads, XML_PARSE_QUEUE waiting.
 *
 * This process is the client: it posts CONCURRENCY distribute requests of BODY_MB each at
 * once and polls `/health` every 20 ms until they are answered, then asks the child for its
 * peak RSS. Modes alternate round by round (before, after, before, ...) so machine load hits
 * both alike. Prints a Markdown table.
 *
 *   npx tsx scripts/measure-api-large-bodies.ts
 *   ROUNDS=5 CONCURRENCY=4 BODY_MB=5 npx tsx scripts/measure-api-large-bodies.ts
 *   npm run build && MEASURE_FROM_DIST=1 npx tsx scripts/measure-api-large-bodies.ts
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type * as RequestValidatorModule from '../src/compose/request-validator.js';
import type * as ListenModule from '../src/compose/listen.js';
import type * as ValidateModule from '../src/distribution/validate.js';
import type * as AppModule from '../src/http/app.js';
import type * as MediapackageParserModule from '../src/http/mediapackage-parser.js';
import type * as JobServiceModule from '../src/jobs/job-service.js';
import type * as JobStoreModule from '../src/jobs/job-store.js';
import type * as TargetsModule from '../src/distribution/targets.js';
import type * as ErrorsModule from '../src/errors.js';
import {
  LARGE_MEDIAPACKAGE_SOURCE,
  largeMediapackage,
} from '../test/helpers/large-mediapackage.js';

type Mode = 'before' | 'after';
const MiB = 1024 * 1024;
const rounds = Number(process.env.ROUNDS ?? 3);
const concurrency = Number(process.env.CONCURRENCY ?? 4);
const bodyBytes = Math.round(Number(process.env.BODY_MB ?? 5) * MiB) - 4096;

/** The server side: the HTTP adapter with a job service that publishes nowhere. */
async function child(mode: Mode): Promise<void> {
  // MEASURE_FROM_DIST=1: the compiled service (`npm run build` first), as in production,
  // where the parser thread loads plain JavaScript instead of compiling TypeScript.
  const base = process.env.MEASURE_FROM_DIST === '1' ? '../dist/' : '../src/';
  const ext = base === '../dist/' ? 'js' : 'ts';
  const load = async <T>(path: string): Promise<T> =>
    (await import(new URL(`${base}${path}.${ext}`, import.meta.url).href)) as T;
  const { createRequestValidator } = await load<typeof RequestValidatorModule>(
    'compose/request-validator',
  );
  const { listen, serverUrl } = await load<typeof ListenModule>('compose/listen');
  const { validateRequest } = await load<typeof ValidateModule>('distribution/validate');
  const { createApp } = await load<typeof AppModule>('http/app');
  const { createMediapackageParser } = await load<typeof MediapackageParserModule>(
    'http/mediapackage-parser',
  );
  const { JobService } = await load<typeof JobServiceModule>('jobs/job-service');
  const { MemoryJobStore } = await load<typeof JobStoreModule>('jobs/job-store');
  const { createTargetResolver } = await load<typeof TargetsModule>('distribution/targets');
  const { AppError } = await load<typeof ErrorsModule>('errors');
  let next = 1;
  const jobs = new JobService({
    store: new MemoryJobStore(),
    send: () => Promise.resolve(),
    replyTo: () => 'none',
    newJobId: () => String(next++),
    clock: () => new Date(),
    jobUrl: (id) => `http://localhost/jobs/${id}`,
    jobLoad: 0.1,
  });
  const sources = {
    assertAllowed: (url: string) => {
      if (!url.startsWith(LARGE_MEDIAPACKAGE_SOURCE)) {
        throw new AppError('SOURCE_FORBIDDEN', 'not allowed');
      }
    },
    open: () => Promise.reject(new Error('not used')),
  };
  const distribution = {
    sources,
    targets: createTargetResolver(new Map(), { bucket: 'b', baseUrl: 'http://cdn.test/' }),
    xmlLimits: { maxBytes: 5 * MiB, maxDepth: 64 },
  };
  const parser = createMediapackageParser({
    threads: Number(process.env.XML_PARSE_THREADS ?? 1),
    maxQueued: Number(process.env.XML_PARSE_QUEUE ?? 16),
    inlineBytes: 256 * 1024,
    limits: distribution.xmlLimits,
  });
  const app = createApp({
    jobs,
    validate:
      mode === 'before'
        ? (request) => {
            validateRequest(request, distribution);
          }
        : createRequestValidator(distribution, parser),
    syncTimeoutMs: 10_000,
    defaultOrganization: 'mh_default_org',
    readiness: () => Promise.resolve({ ready: true, checks: {} }),
    maxBodyBytes: 16 * MiB,
    logger: pino({ level: 'silent' }),
  });
  const server = await listen(app.fetch, '127.0.0.1', 0);
  process.send?.({ url: serverUrl(server) });
  // The client gone (killed, failed): nothing left to measure.
  process.on('disconnect', () => process.exit(1));
  process.on('message', (message) => {
    if (message !== 'report') return;
    // maxRSS is in KiB: the whole process, worker threads included.
    process.send?.({ peakRssMb: process.resourceUsage().maxRSS / 1024 });
    void parser.close().then(() => process.exit(0));
  });
}

function waitFor<T>(proc: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (typeof message === 'object' && message !== null && key in message) {
        proc.off('message', onMessage);
        resolve((message as Record<string, T>)[key] as T);
      }
    };
    proc.on('message', onMessage);
    proc.once('exit', (code) => {
      reject(new Error(`child exited (${code})`));
    });
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

interface RoundResult {
  mode: Mode;
  healthP50: number;
  healthMax: number;
  healthSamples: number;
  healthErrors: number;
  requestMax: number;
  allAnswered: number;
  statuses: string;
  peakRssMb: number;
}

async function round(mode: Mode, body: string): Promise<RoundResult> {
  const proc = fork(fileURLToPath(import.meta.url), ['child', mode], { stdio: 'inherit' });
  const url = await waitFor<string>(proc, 'url');
  const post = async (): Promise<{ ms: number; status: number }> => {
    const started = performance.now();
    const res = await fetch(`${url}/distribution/s3`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    });
    await res.arrayBuffer();
    return { ms: performance.now() - started, status: res.status };
  };
  await post(); // warm-up: code loaded, threads started, in both modes
  const health: number[] = [];
  let healthErrors = 0;
  const polling = { done: false };
  const poll = (async () => {
    while (!polling.done) {
      const started = performance.now();
      try {
        await (await fetch(`${url}/health`)).arrayBuffer();
      } catch {
        // A keep-alive socket the stalled server closed: the wait still counts, and is told.
        healthErrors++;
      }
      health.push(performance.now() - started);
      await sleep(20);
    }
  })();
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: concurrency }, post));
  const allAnswered = performance.now() - started;
  polling.done = true;
  await poll;
  const report = waitFor<number>(proc, 'peakRssMb');
  proc.send('report');
  const peakRssMb = await report;
  const counts = new Map<number, number>();
  for (const { status } of answers) counts.set(status, (counts.get(status) ?? 0) + 1);
  return {
    mode,
    healthP50: percentile(health, 50),
    healthMax: Math.max(...health),
    healthSamples: health.length,
    healthErrors,
    requestMax: Math.max(...answers.map((a) => a.ms)),
    allAnswered,
    statuses: [...counts].map(([status, n]) => `${n}×${status}`).join(' '),
    peakRssMb,
  };
}

async function main(): Promise<void> {
  const body = new URLSearchParams({
    channelId: 'engage-player',
    mediapackage: largeMediapackage(bodyBytes),
    elementId: '["track-1","track-2"]',
    checkAvailability: 'false',
  }).toString();
  const results: RoundResult[] = [];
  for (let i = 0; i < rounds; i++) {
    for (const mode of ['before', 'after'] as const) {
      const result = await round(mode, body);
      results.push(result);
      process.stderr.write(`round ${i + 1} ${mode}: ${JSON.stringify(result)}\n`);
    }
  }
  const ms = (value: number) => value.toFixed(0);
  const lines = [
    `Command: \`${process.env.MEASURE_FROM_DIST === '1' ? 'MEASURE_FROM_DIST=1 ' : ''}ROUNDS=${rounds} CONCURRENCY=${concurrency} BODY_MB=${(bodyBytes / MiB).toFixed(1)} npx tsx scripts/measure-api-large-bodies.ts\``,
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}; body ${(body.length / MiB).toFixed(2)} MiB form-encoded.`,
    '',
    '| round | mode | /health p50 ms | /health max ms | samples (failed) | slowest request ms | all answered ms | answers | peak RSS MB |',
    '| ----- | ---- | -------------- | -------------- | ---------------- | ------------------ | --------------- | ------- | ----------- |',
    ...results.map(
      (r, i) =>
        `| ${Math.floor(i / 2) + 1} | ${r.mode} | ${ms(r.healthP50)} | ${ms(r.healthMax)} | ${r.healthSamples} (${r.healthErrors}) | ${ms(r.requestMax)} | ${ms(r.allAnswered)} | ${r.statuses} | ${ms(r.peakRssMb)} |`,
    ),
  ];
  for (const mode of ['before', 'after'] as const) {
    const own = results.filter((r) => r.mode === mode);
    const median = (f: (r: RoundResult) => number) => ms(percentile(own.map(f), 50));
    lines.push(
      `| median | ${mode} | ${median((r) => r.healthP50)} | ${median((r) => r.healthMax)} | | ${median((r) => r.requestMax)} | ${median((r) => r.allAnswered)} | | ${median((r) => r.peakRssMb)} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[2] === 'child') await child(process.argv[3] === 'after' ? 'after' : 'before');
else await main();
