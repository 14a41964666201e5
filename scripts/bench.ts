/**
 * Benchmarks of the whole pipeline (HTTP -> RabbitMQ -> worker -> S3). The service runs as
 * its own process (`node dist/main.js`, as in production) so its memory is measured alone;
 * the broker is the test broker, the S3 server (s3rver) and the HTTP source live in this
 * process. Prints a Markdown table with the command and machine, and writes it to
 * bench-results/latest.md.
 *
 *   npm run bench
 *   BENCH_RUNS=50 BENCH_LARGE_MB=256,1024 npm run bench
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestBroker } from '../test/helpers/rabbit.js';
import { startTestS3 } from '../test/helpers/s3.js';
import { startSourceServer } from '../test/helpers/source-server.js';

const runs = Number(process.env.BENCH_RUNS ?? 50);
const largeSizes = (process.env.BENCH_LARGE_MB ?? '256,1024').split(',').map(Number);
const MiB = 1024 * 1024;
const port = 18000 + Math.floor(Math.random() * 1000);
const serviceUrl = `http://127.0.0.1:${port}`;

function mediapackage(baseUrl: string, file: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="bench-mp">' +
    `<media><track id="t1" type="presenter/delivery"><mimetype>video/mp4</mimetype>` +
    `<url>${baseUrl}${file}</url><live>false</live></track></media>` +
    `<metadata><catalog id="c1" type="dublincore/episode"><mimetype>text/xml</mimetype>` +
    `<url>${baseUrl}episode.xml</url></catalog></metadata><attachments/><publications/>` +
    '</mediapackage>'
  );
}

async function distributeSync(fields: Record<string, string>): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${serviceUrl}/distribution/s3/distributesync`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
    body: new URLSearchParams(fields).toString(),
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`distributesync answered ${res.status}: ${body}`);
  return performance.now() - started;
}

/** A /proc/<pid>/status field in MiB (VmRSS: now, VmHWM: peak since start). */
function memoryMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const broker = await startTestBroker();
const s3 = await startTestS3();
const sources = await startSourceServer();
const bucket = await s3.createBucket();
const child = spawn(process.execPath, ['dist/main.js'], {
  env: {
    ...process.env,
    LOG_LEVEL: 'warn',
    HTTP_PORT: String(port),
    AMQP_URL: broker.url,
    AMQP_PREFIX: broker.prefix,
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    S3_BUCKET: bucket,
    DISTRIBUTION_BASE_URL: `${s3.endpoint}/${bucket}/`,
    SOURCE_ALLOWED_PREFIXES: sources.baseUrl,
    SYNC_TIMEOUT_MS: '600000',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const pid = child.pid ?? NaN;
const rows: string[][] = [];
try {
  for (let i = 0; ; i++) {
    const ready = await fetch(`${serviceUrl}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (i > 100 || child.exitCode !== null) throw new Error('the service did not become ready');
    await sleep(200);
  }

  // 1. Latency of one small distributesync (a 2 KB catalog), after 5 warm-up calls.
  sources.set('episode.xml', `<dublincore>${'x'.repeat(2000)}</dublincore>`);
  const small = {
    channelId: 'bench',
    mediapackage: mediapackage(sources.baseUrl, 'none.mp4'),
    elementId: '["c1"]',
    checkAvailability: 'false',
  };
  for (let i = 0; i < 5; i++) await distributeSync(small);
  const latencies: number[] = [];
  for (let i = 0; i < runs; i++) latencies.push(await distributeSync(small));
  latencies.sort((a, b) => a - b);
  rows.push([
    `distributesync, one 2 KB catalog (${runs} sequential calls)`,
    `median ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, max ${(latencies.at(-1) ?? NaN).toFixed(1)} ms`,
  ]);
  rows.push(['service RSS after the small calls', `${memoryMiB(pid, 'VmRSS').toFixed(0)} MiB`]);

  // 2. Large tracks streamed from the source server into S3 (multipart). Ascending sizes,
  // so the peak RSS (VmHWM) after each is the peak of that upload or an earlier one.
  for (const mb of largeSizes) {
    const name = `large-${mb}.mp4`;
    sources.setGenerated(name, mb * MiB);
    const ms = await distributeSync({
      channelId: 'bench',
      mediapackage: mediapackage(sources.baseUrl, name),
      elementId: '["t1"]',
      checkAvailability: 'false',
    });
    rows.push([
      `distributesync, one ${mb} MiB track (streamed, multipart, 8 MiB x 4 parts)`,
      `${(ms / 1000).toFixed(1)} s, ${(mb / (ms / 1000)).toFixed(0)} MiB/s; service peak RSS ${memoryMiB(pid, 'VmHWM').toFixed(0)} MiB`,
    ]);
  }
} finally {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  await sources.close();
  await s3.close();
  await broker.close();
}

const env = Object.entries(process.env)
  .filter(([k]) => k.startsWith('BENCH_'))
  .map(([k, v]) => `${k}=${v ?? ''} `)
  .join('');
const table = [
  `Command: \`${env}npm run bench\``,
  `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}; RabbitMQ ${broker.url.includes('127.0.0.1') ? 'local' : 'external'}, S3: ${s3.kind}, all on loopback`,
  `Date: ${new Date().toISOString()}`,
  '',
  '| benchmark | result |',
  '|---|---|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
  '',
].join('\n');
process.stdout.write(`${table}\n`);
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/latest.md', table);
