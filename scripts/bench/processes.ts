/**
 * The processes the bench starts: the fixtures (S3 server and HTTP source), the service as
 * `node dist/main.js`, and the baseline children (compiled to dist/bench/, run by plain
 * node like the service, so that no loader inflates their memory).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../test/helpers/free-port.js';
import type { FixtureInfo, FixtureParams } from './fixture-info.js';
import { startUsage, type Usage } from './proc.js';

/** Reads a child's stdout line by line; rejects when the child ends before the next line. */
function lineReader(child: ChildProcess, what: string): () => Promise<string> {
  if (child.stdout === null) throw new Error(`${what} has no stdout`);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return async () => {
    const next = await lines.next();
    if (next.done === true) throw new Error(`${what} ended (exit code ${child.exitCode})`);
    return next.value;
  };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
}

/** The fixture process and what it serves. */
export interface Fixtures {
  readonly info: FixtureInfo;
  close(): Promise<void>;
}

/** Starts scripts/bench/fixtures.ts under tsx (it uses the TypeScript test helpers). */
export async function startFixtures(params: FixtureParams): Promise<Fixtures> {
  const child = spawn(
    process.execPath,
    // s3rver lists past 1000 keys (its continuation token) only with OpenSSL's legacy
    // ciphers on Node 17+ (platform-notes.md); deleting the bucket at the end lists them all.
    [
      '--openssl-legacy-provider',
      '--import',
      'tsx',
      'scripts/bench/fixtures.ts',
      JSON.stringify(params),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const info = JSON.parse(await lineReader(child, 'the fixture process')()) as FixtureInfo;
  return {
    info,
    close: async () => {
      child.stdin.end();
      await exited(child);
    },
  };
}

/** The service running as its own process. */
export interface ServiceProcess {
  readonly url: string;
  readonly pid: number;
  /** SIGTERM, then waits for the exit. */
  close(): Promise<void>;
}

/** Starts `node dist/main.js` with `env` on a free port and waits until /ready answers. */
export async function startService(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/main.js'], {
    env: { ...env, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const close = async (): Promise<void> => {
    child.kill('SIGTERM');
    await exited(child);
  };
  for (let i = 0; ; i++) {
    const ready = await fetch(`${url}/ready`).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) break;
    if (i > 150 || child.exitCode !== null) {
      await close();
      throw new Error('the service did not become ready within 30 s');
    }
    await sleep(200);
  }
  if (child.pid === undefined) throw new Error('the service has no pid');
  return { url, pid: child.pid, close };
}

/** What one run of a baseline child gave. */
export interface ChildRun<R> {
  readonly result: R;
  /** From `go` to the result line. */
  readonly wallMs: number;
  /** CPU and peak RSS of the child over the work only. */
  readonly usage: Usage;
}

/**
 * Runs dist/bench/<script>.js through the handshake of child-protocol.ts. `atReady` runs
 * while the child waits to start (the idle baseline reads its memory there).
 */
export async function runBaseline<R>(
  script: string,
  params: object,
  atReady: (pid: number) => Promise<void> = () => Promise.resolve(),
): Promise<ChildRun<R>> {
  const child = spawn(process.execPath, [`dist/bench/${script}.js`, JSON.stringify(params)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const next = lineReader(child, `baseline ${script}`);
  try {
    const pid = child.pid;
    if (pid === undefined) throw new Error(`baseline ${script} did not start`);
    expectMessage(await next(), 'ready', script);
    await atReady(pid);
    const finish = startUsage(pid);
    const started = performance.now();
    child.stdin.write('go\n');
    const result = expectMessage(await next(), 'result', script) as R;
    const wallMs = performance.now() - started;
    const usage = finish();
    return { result, wallMs, usage };
  } finally {
    child.stdin.end();
    await exited(child);
  }
}

function expectMessage(line: string, field: 'ready' | 'result', script: string): unknown {
  const message = JSON.parse(line) as Record<string, unknown>;
  if ('error' in message) throw new Error(`baseline ${script} failed: ${String(message.error)}`);
  if (!(field in message)) throw new Error(`baseline ${script} said ${line}, expected ${field}`);
  return message[field];
}

/** What one `aws s3 cp` run gave. */
export interface AwsCliRun {
  readonly wallMs: number;
  /** curl + aws + bash, from GNU time (children waited for). */
  readonly cpuSeconds: number;
  /** The largest single process's peak RSS, from GNU time. */
  readonly peakRssMiB: number;
}

/**
 * Streams `sourceUrl` through `curl | aws s3 cp - s3://bucket/key`, timed by GNU time.
 * The aws CLI is told to send checksums only where required, as the service does
 * (s3rver would store aws-chunked framing otherwise).
 */
export async function runAwsCli(
  sourceUrl: string,
  target: FixtureInfo,
  key: string,
  bytes: number,
): Promise<AwsCliRun> {
  const script =
    'curl -sSf "$SRC" | aws s3 cp - "s3://$BUCKET/$KEY" --endpoint-url "$ENDPOINT" ' +
    '--region "$REGION" --expected-size "$SIZE" --only-show-errors';
  const child = spawn(
    '/usr/bin/time',
    ['-f', 'TIME %e %U %S %M', 'bash', '-c', `set -o pipefail; ${script}`],
    {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        SRC: sourceUrl,
        BUCKET: target.bucket,
        KEY: key,
        ENDPOINT: target.endpoint,
        REGION: target.region,
        SIZE: String(bytes),
        AWS_ACCESS_KEY_ID: target.accessKeyId,
        AWS_SECRET_ACCESS_KEY: target.secretAccessKey,
        AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
        AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
      stdio: ['ignore', 'inherit', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const started = performance.now();
  await exited(child);
  const wallMs = performance.now() - started;
  const timing = /^TIME (\S+) (\S+) (\S+) (\d+)$/m.exec(stderr);
  if (child.exitCode !== 0 || timing === null) {
    throw new Error(`aws s3 cp failed (exit ${child.exitCode}): ${stderr.slice(-500)}`);
  }
  return {
    wallMs,
    cpuSeconds: Number(timing[2]) + Number(timing[3]),
    peakRssMiB: Number(timing[4]) / 1024,
  };
}

/** Whether the aws command answers `aws --version`. */
export function awsCliVersion(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn('aws', ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const collect = (chunk: Buffer): void => {
      out += chunk.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', () => {
      resolve(undefined);
    });
    child.on('exit', (code) => {
      resolve(code === 0 ? out.trim().split(' ')[0] : undefined);
    });
  });
}
