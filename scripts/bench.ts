/**
 * Benchmarks of the whole pipeline (HTTP -> RabbitMQ -> worker -> S3), run in-process
 * against the same services the integration tests use. Prints a Markdown table with the
 * command and machine, and writes it to bench-results/latest.md.
 *
 *   npm run bench                      # defaults
 *   BENCH_RUNS=50 BENCH_LARGE_MB=1024 npm run bench
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { startTestStack } from '../test/helpers/service.js';

const runs = Number(process.env.BENCH_RUNS ?? 50);
const largeMb = Number(process.env.BENCH_LARGE_MB ?? 512);
const MiB = 1024 * 1024;

function mediapackage(baseUrl: string, file: string, mimetype: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="bench-mp">' +
    `<media><track id="t1" type="presenter/delivery"><mimetype>${mimetype}</mimetype>` +
    `<url>${baseUrl}${file}</url><live>false</live></track></media>` +
    `<metadata><catalog id="c1" type="dublincore/episode"><mimetype>text/xml</mimetype>` +
    `<url>${baseUrl}episode.xml</url></catalog></metadata><attachments/><publications/>` +
    '</mediapackage>'
  );
}

async function distributeSync(url: string, fields: Record<string, string>): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${url}/distribution/s3/distributesync`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
    body: new URLSearchParams(fields).toString(),
  });
  await res.text();
  if (res.status !== 200) throw new Error(`distributesync answered ${res.status}`);
  return performance.now() - started;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const stack = await startTestStack({ LOG_LEVEL: 'silent', SYNC_TIMEOUT_MS: '600000' });
const rows: string[][] = [];
try {
  // 1. Latency of one small distributesync (a 2 KB catalog), after 5 warm-up calls.
  stack.sources.set('episode.xml', `<dublincore>${'x'.repeat(2000)}</dublincore>`);
  const small = {
    channelId: 'bench',
    mediapackage: mediapackage(stack.sources.baseUrl, 'none.mp4', 'video/mp4'),
    elementId: '["c1"]',
    checkAvailability: 'false',
  };
  for (let i = 0; i < 5; i++) await distributeSync(stack.url, small);
  const latencies: number[] = [];
  for (let i = 0; i < runs; i++) latencies.push(await distributeSync(stack.url, small));
  latencies.sort((a, b) => a - b);
  rows.push([
    `distributesync, one 2 KB catalog (${runs} sequential calls)`,
    `median ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, max ${(latencies.at(-1) ?? NaN).toFixed(1)} ms`,
  ]);

  // 2. One large track streamed from the source server into S3 (multipart), memory sampled.
  const size = largeMb * MiB;
  stack.sources.setGenerated('large.mp4', size);
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 50);
  const ms = await distributeSync(stack.url, {
    channelId: 'bench',
    mediapackage: mediapackage(stack.sources.baseUrl, 'large.mp4', 'video/mp4'),
    elementId: '["t1"]',
    checkAvailability: 'false',
  });
  clearInterval(sampler);
  rows.push([
    `distributesync, one ${largeMb} MiB track (streamed, multipart)`,
    `${(ms / 1000).toFixed(1)} s, ${(size / MiB / (ms / 1000)).toFixed(0)} MiB/s; RSS ${(rssBefore / MiB).toFixed(0)} -> peak ${(rssPeak / MiB).toFixed(0)} MiB (+${((rssPeak - rssBefore) / MiB).toFixed(0)} MiB)`,
  ]);
} finally {
  await stack.close();
}

const env = Object.entries(process.env)
  .filter(([k]) => k.startsWith('BENCH_'))
  .map(([k, v]) => `${k}=${v ?? ''} `)
  .join('');
const table = [
  `Command: \`${env}npm run bench\``,
  `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}; broker and S3 server (s3rver, in-process) on loopback`,
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
