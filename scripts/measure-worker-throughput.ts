/**
 * Worker-side throughput, CPU per byte and peak RSS of `distribute()` against a bare
 * lib-storage upload from the same HTTP source, old code against new, in interleaved rounds.
 * Each run is a fresh child process (so CPU time and peak RSS are its own); the HTTP source
 * and the S3 endpoint live in this process.
 *
 *   npm run build && MEASURE_OLD=/tmp/perfw-old tsx scripts/measure-worker-throughput.ts
 *
 * MEASURE_OLD: a checkout of the code to compare against, built to dist/ (e.g. `git archive
 * main | tar -x -C /tmp/old`, node_modules linked, `npx tsc -p tsconfig.build.json`);
 * unset: only bare and new. MEASURE_ROUNDS (5), MEASURE_WORKLOADS (large,small,multi),
 * MEASURE_LARGE_MB (512), MEASURE_SMALL_JOBS (1000), MEASURE_SMALL_CALLERS (50),
 * MEASURE_MULTI (4x64: elements x MiB). MEASURE_S3=sink (default) answers S3's upload
 * requests and discards the bytes, honouring If-None-Match like AWS S3 and MinIO, so only
 * the worker's own cost is measured; MEASURE_S3=s3rver writes to an embedded s3rver.
 * MEASURE_CPU_PROF=<dir> writes a CPU profile of each run there.
 * Ratios are variant / bare (throughput: higher is better; CPU and RSS: lower is better).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import type * as BudgetModule from '../src/distribution/byte-budget.js';
import type * as DistributeModule from '../src/distribution/distribute.js';
import type * as TargetsModule from '../src/distribution/targets.js';
import type * as FetcherModule from '../src/sources/source-fetcher.js';
import type * as StoreModule from '../src/storage/s3-object-store.js';

const MiB = 1024 * 1024;
const SMALL_BYTES = 10 * 1024;
const PART_SIZE = 8 * MiB;
const QUEUE_SIZE = 4;

type Workload = 'large' | 'small' | 'multi';
interface Settings {
  readonly sourceBase: string;
  readonly s3Endpoint: string;
  readonly bucket: string;
  readonly largeMiB: number;
  readonly smallJobs: number;
  readonly smallCallers: number;
  readonly multiCount: number;
  readonly multiMiB: number;
}
interface RunResult {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssMiB: number;
  readonly bytes: number;
}

// ---------------------------------------------------------------------------- servers

/** Serves `/files/<n>.bin` (n MiB, generated while sending) and `/files/small-<i>.xml`. */
function startSource(): Promise<Server> {
  const chunk = randomBytes(MiB);
  const small = Buffer.alloc(SMALL_BYTES, 'x');
  const server = createServer((req, res) => {
    const large = /^\/files\/(\d+)-[\w-]+\.bin$/.exec(req.url ?? '');
    if (large !== null) {
      const total = Number(large[1]) * MiB;
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': total });
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          sent += MiB;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
      return;
    }
    if (/^\/files\/small-[\w-]+\.xml$/.test(req.url ?? '')) {
      res.writeHead(200, { 'content-type': 'text/xml', 'content-length': small.length });
      res.end(small);
      return;
    }
    res.writeHead(404).end();
  });
  return listen(server);
}

/**
 * Enough of S3 for uploads: PutObject, multipart, HEAD, DELETE. Bodies are read and
 * dropped; keys are remembered so HEAD and `If-None-Match: *` behave as on AWS S3.
 */
function startSink(): Promise<Server> {
  const keys = new Set<string>();
  let uploads = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sink');
    const key = url.pathname;
    const answer = (status: number, body = '', headers: Record<string, string> = {}): void => {
      res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    req.resume();
    req.on('end', () => {
      const etag = { etag: `"${randomBytes(8).toString('hex')}"` };
      const absent = req.headers['if-none-match'] === '*';
      if (req.method === 'HEAD') answer(keys.has(key) ? 200 : 404);
      else if (req.method === 'DELETE') {
        keys.delete(key);
        answer(204);
      } else if (req.method === 'POST' && url.searchParams.has('uploads')) {
        uploads++;
        answer(
          200,
          `<InitiateMultipartUploadResult><UploadId>u${uploads}</UploadId></InitiateMultipartUploadResult>`,
        );
      } else if (req.method === 'POST' && url.searchParams.has('uploadId')) {
        if (absent && keys.has(key)) answer(412, '<Error><Code>PreconditionFailed</Code></Error>');
        else {
          keys.add(key);
          answer(
            200,
            '<CompleteMultipartUploadResult><ETag>"m-1"</ETag></CompleteMultipartUploadResult>',
          );
        }
      } else if (req.method === 'PUT' && url.searchParams.has('partNumber')) answer(200, '', etag);
      else if (req.method === 'PUT') {
        if (absent && keys.has(key)) answer(412, '<Error><Code>PreconditionFailed</Code></Error>');
        else {
          keys.add(key);
          answer(200, '', etag);
        }
      } else answer(400);
    });
  });
  return listen(server);
}

async function listen(server: Server): Promise<Server> {
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return server;
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
}

// ---------------------------------------------------------------------------- child

function mediapackage(tracks: readonly string[], catalogs: readonly string[]): string {
  const track = (url: string, i: number) =>
    `<track id="t${String(i)}" type="presenter/delivery"><mimetype>video/mp4</mimetype><url>${url}</url></track>`;
  const catalog = (url: string, i: number) =>
    `<catalog id="c${String(i)}" type="dublincore/episode"><mimetype>text/xml</mimetype><url>${url}</url></catalog>`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="measure-mp">' +
    `<media>${tracks.map(track).join('')}</media>` +
    `<metadata>${catalogs.map(catalog).join('')}</metadata><attachments/><publications/></mediapackage>`
  );
}

/** A unique name for this run's objects and sources. */
const tag = (): string => randomBytes(6).toString('hex');

async function child(variant: string, workload: Workload, s: Settings): Promise<void> {
  const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
  const { Upload } = await import('@aws-sdk/lib-storage');
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: s.s3Endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { httpAgent: { keepAlive: true, maxSockets: 50 } },
  });
  let distributeOne: (tracks: string[], catalogs: string[], id: number) => Promise<void>;
  if (variant !== 'bare') {
    const root = resolve(variant);
    const load = async <T>(path: string): Promise<T> =>
      (await import(join(root, 'dist', path))) as T;
    const { distribute } = await load<typeof DistributeModule>('distribution/distribute.js');
    const { S3ObjectStore } = await load<typeof StoreModule>('storage/s3-object-store.js');
    const { createSourceFetcher } = await load<typeof FetcherModule>('sources/source-fetcher.js');
    const { createTargetResolver } = await load<typeof TargetsModule>('distribution/targets.js');
    const { default: pino } = await import('pino');
    // The worker's memory budget where the variant has one (WORKER_MEMORY_BUDGET_MB's default).
    const budgetModule = (await load<Partial<typeof BudgetModule>>(
      'distribution/byte-budget.js',
    ).catch(() => ({}))) as Partial<typeof BudgetModule>;
    const budget =
      budgetModule.ByteBudget === undefined ? undefined : new budgetModule.ByteBudget(256 * MiB);
    const deps = {
      store: new S3ObjectStore(client, { partSizeBytes: PART_SIZE, queueSize: QUEUE_SIZE }),
      sources: createSourceFetcher({
        allowedUrlPrefixes: [`${s.sourceBase}/files/`],
        sharedStorage: [],
        fileRoots: [],
        credentials: [],
        connectTimeoutMs: 30_000,
        readTimeoutMs: 30_000,
        maxRedirects: 0,
      }),
      availability: {
        check: () =>
          Promise.resolve({ result: 'available' as const, detail: 'HTTP 200', tries: 1 }),
      },
      targets: createTargetResolver(new Map(), {
        bucket: s.bucket,
        baseUrl: `${s.s3Endpoint}/${s.bucket}/`,
      }),
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      budget,
      logger: pino({ level: 'warn' }),
    };
    distributeOne = async (tracks, catalogs, id) => {
      const ids = [
        ...tracks.map((_, i) => `t${String(i)}`),
        ...catalogs.map((_, i) => `c${String(i)}`),
      ];
      await distribute(
        {
          version: 1,
          type: 'distribute',
          jobId: String(id),
          organization: 'org',
          channelId: `ch-${tag()}`,
          mediapackage: mediapackage(tracks, catalogs),
          elementIds: ids,
          checkAvailability: false,
        },
        deps,
        new AbortController().signal,
      );
    };
  } else {
    const key = () => `org/bare-${tag()}/measure-mp/e/file`;
    const uploadLarge = async (url: string): Promise<void> => {
      const res = await fetch(url);
      if (res.body === null) throw new Error('no body');
      await new Upload({
        client,
        params: {
          Bucket: s.bucket,
          Key: key(),
          // MEASURE_BARE_BODY=node: the body as a Node stream, as the service hands it on.
          Body: process.env.MEASURE_BARE_BODY === 'node' ? Readable.fromWeb(res.body) : res.body,
          ContentLength: Number(res.headers.get('content-length')),
        },
        partSize: PART_SIZE,
        queueSize: QUEUE_SIZE,
      }).done();
    };
    const putSmall = async (url: string): Promise<void> => {
      const res = await fetch(url);
      const body = Buffer.from(await res.arrayBuffer());
      await client.send(new PutObjectCommand({ Bucket: s.bucket, Key: key(), Body: body }));
    };
    distributeOne = async (tracks, catalogs) => {
      // Bare does the elements of a job one after another, as the simplest loop would.
      for (const url of tracks) await uploadLarge(url);
      for (const url of catalogs) await putSmall(url);
    };
  }

  const files = `${s.sourceBase}/files`;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let bytes = 0;
  if (workload === 'large') {
    await distributeOne([`${files}/${String(s.largeMiB)}-${tag()}.bin`], [], 1);
    bytes = s.largeMiB * MiB;
  } else if (workload === 'multi') {
    const tracks = Array.from(
      { length: s.multiCount },
      () => `${files}/${String(s.multiMiB)}-${tag()}.bin`,
    );
    await distributeOne(tracks, [], 1);
    bytes = s.multiCount * s.multiMiB * MiB;
  } else {
    let next = 0;
    const caller = async (): Promise<void> => {
      while (next < s.smallJobs) {
        const id = ++next;
        await distributeOne([], [`${files}/small-${tag()}.xml`], id);
      }
    };
    await Promise.all(Array.from({ length: s.smallCallers }, caller));
    bytes = s.smallJobs * SMALL_BYTES;
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const result: RunResult = {
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    bytes,
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------------------- parent

function runChild(variant: string, workload: Workload, s: Settings): Promise<RunResult> {
  return new Promise((done, fail) => {
    const proc = spawn(
      process.execPath,
      [
        '--no-warnings',
        // MEASURE_CPU_PROF=<dir>: a CPU profile of each run, for `node --cpu-prof` reading.
        ...(process.env.MEASURE_CPU_PROF
          ? ['--cpu-prof', `--cpu-prof-dir=${process.env.MEASURE_CPU_PROF}`]
          : []),
        '--import',
        'tsx',
        new URL(import.meta.url).pathname,
        'child',
        variant,
        workload,
      ],
      {
        env: { ...process.env, MEASURE_SETTINGS: JSON.stringify(s) },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    proc.stdout.on('data', (data: Buffer) => (out += data.toString()));
    proc.on('error', fail);
    proc.on('close', (code) => {
      const line = /^RESULT (.*)$/m.exec(out)?.[1];
      if (code !== 0 || line === undefined)
        fail(new Error(`${variant} ${workload} exited ${String(code)}: ${out}`));
      else done(JSON.parse(line) as RunResult);
    });
  });
}

function stats(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median =
    sorted.length % 2 === 1
      ? (sorted[(sorted.length - 1) / 2] ?? NaN)
      : ((sorted[sorted.length / 2 - 1] ?? NaN) + (sorted[sorted.length / 2] ?? NaN)) / 2;
  const f = (v: number | undefined) => (v ?? NaN).toFixed(2);
  return `${f(median)} (${f(sorted[0])}-${f(sorted.at(-1))})`;
}

async function parent(): Promise<void> {
  const rounds = Number(process.env.MEASURE_ROUNDS ?? 5);
  const workloads = (process.env.MEASURE_WORKLOADS ?? 'large,small,multi').split(',') as Workload[];
  const [multiCount, multiMiB] = (process.env.MEASURE_MULTI ?? '4x64').split('x').map(Number);
  const variants = ['bare', ...(process.env.MEASURE_OLD ? [process.env.MEASURE_OLD] : []), '.'];
  const name = (v: string) => (v === 'bare' ? 'bare' : v === '.' ? 'new' : 'old');
  const source = await startSource();
  let s3: { endpoint: string; close: () => Promise<void> };
  let bucket = 'measure';
  if (process.env.MEASURE_S3 === 's3rver') {
    const { startEmbeddedS3 } = await import('../src/storage/embedded-s3.js');
    const { CreateBucketCommand, S3Client } = await import('@aws-sdk/client-s3');
    const directory = await mkdtemp(join(tmpdir(), 'measure-s3-'));
    const server = await startEmbeddedS3({ directory });
    bucket = `measure-${tag()}`;
    await new S3Client({
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    }).send(new CreateBucketCommand({ Bucket: bucket }));
    s3 = {
      endpoint: server.endpoint,
      close: async () => {
        await server.close();
        await rm(directory, { recursive: true, force: true });
      },
    };
  } else {
    const sink = await startSink();
    s3 = {
      endpoint: urlOf(sink),
      close: () =>
        new Promise((done) =>
          sink.close(() => {
            done();
          }),
        ),
    };
  }
  const settings: Settings = {
    sourceBase: urlOf(source),
    s3Endpoint: s3.endpoint,
    bucket,
    largeMiB: Number(process.env.MEASURE_LARGE_MB ?? 512),
    smallJobs: Number(process.env.MEASURE_SMALL_JOBS ?? 1000),
    smallCallers: Number(process.env.MEASURE_SMALL_CALLERS ?? 50),
    multiCount: multiCount ?? 4,
    multiMiB: multiMiB ?? 64,
  };
  console.log(
    `# measure-worker-throughput: ${String(rounds)} rounds, S3=${process.env.MEASURE_S3 ?? 'sink'}, ` +
      `large=${String(settings.largeMiB)} MiB, small=${String(settings.smallJobs)} jobs x 10 KiB ` +
      `by ${String(settings.smallCallers)} callers, multi=${String(settings.multiCount)}x${String(settings.multiMiB)} MiB`,
  );
  for (const workload of workloads) {
    const results = new Map<string, RunResult[]>(variants.map((v) => [v, []]));
    for (let round = 0; round < rounds; round++) {
      // Rotate the order so that no variant always runs first (warm caches, background load).
      const order = variants.map((_, i) => variants[(i + round) % variants.length] ?? 'bare');
      for (const variant of order) {
        const result = await runChild(variant, workload, settings);
        results.get(variant)?.push(result);
        console.log(
          `${workload} round ${String(round + 1)} ${name(variant)}: ${(result.bytes / MiB / (result.wallMs / 1000)).toFixed(1)} MiB/s, ` +
            `cpu ${result.cpuMs.toFixed(0)} ms, rss ${result.maxRssMiB.toFixed(0)} MiB`,
        );
      }
    }
    const bare = results.get('bare') ?? [];
    console.log(`\n## ${workload}: ratio to bare, median (min-max) over ${String(rounds)} rounds`);
    console.log('| variant | throughput | CPU per byte | peak RSS | MiB/s median |');
    console.log('|---|---|---|---|---|');
    for (const variant of variants) {
      const own = results.get(variant) ?? [];
      // Rounds pair up: each ratio is to the bare run of the same round.
      const ratio = (f: (r: RunResult) => number) => own.map((r, i) => f(r) / f(bare[i] ?? r));
      const mibs = own.map((r) => r.bytes / MiB / (r.wallMs / 1000));
      console.log(
        `| ${name(variant)} | ${stats(ratio((r) => r.bytes / r.wallMs))} | ${stats(ratio((r) => r.cpuMs / r.bytes))} | ` +
          `${stats(ratio((r) => r.maxRssMiB))} | ${stats(mibs)} |`,
      );
    }
    console.log('');
  }
  await s3.close();
  await new Promise((done) => source.close(done));
}

if (process.argv[2] === 'child') {
  const settings = JSON.parse(process.env.MEASURE_SETTINGS ?? '{}') as Settings;
  await child(process.argv[3] ?? 'bare', (process.argv[4] ?? 'large') as Workload, settings);
  process.exit(0);
} else {
  await parent();
}
