/**
 * The real process as an orchestrator runs it: `main.ts` started by Node (through tsx),
 * against the test broker and S3. SIGTERM stops it cleanly with exit code 0; a second
 * signal while it drains ends it at once with exit code 1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postForm } from '../helpers/http.js';
import { startTestBroker, waitFor, type TestBroker } from '../helpers/rabbit.js';
import { serviceS3Env, startTestS3, type TestS3 } from '../helpers/s3.js';
import { startSourceServer, type SourceServer } from '../helpers/source-server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let broker: TestBroker;
let s3: TestS3;
let sources: SourceServer;
let env: Record<string, string>;
const started: ChildProcess[] = [];

beforeAll(async () => {
  broker = await startTestBroker();
  s3 = await startTestS3();
  sources = await startSourceServer();
  sources.setStalled('stalled.mp4');
  const bucket = await s3.createBucket();
  env = {
    PATH: process.env.PATH ?? '',
    ROLE: 'all',
    LOG_LEVEL: 'info',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    AMQP_URL: broker.url,
    AMQP_PREFIX: broker.prefix,
    ...serviceS3Env(s3, bucket),
    SOURCE_ALLOWED_PREFIXES: sources.baseUrl,
    SOURCE_READ_TIMEOUT_MS: '60000',
    // Long enough that the drain is still running when the second signal comes.
    SHUTDOWN_GRACE_MS: '60000',
  };
}, 60_000);

afterEach(() => {
  // A failed assertion must not leave a service running.
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

afterAll(async () => {
  await sources.close();
  await s3.close();
  await broker.close();
});

interface LogLine {
  readonly msg?: string;
  readonly url?: string;
}

/** Starts `src/main.ts` in a child process and collects its JSON log lines. */
function startMain() {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const lines: LogLine[] = [];
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const part of parts) if (part.trim() !== '') lines.push(JSON.parse(part) as LogLine);
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const logged = (msg: string) =>
    waitFor(() => lines.some((l) => l.msg === msg) || child.exitCode !== null, 30_000, msg).then(
      () => {
        const line = lines.find((l) => l.msg === msg);
        if (line === undefined) throw new Error(`exited before '${msg}': ${stderr}`);
        return line;
      },
    );
  return { child, lines, exited, logged, stderr: () => stderr };
}

describe('main.ts', () => {
  it('starts, and on SIGTERM stops cleanly with exit code 0', async () => {
    const main = startMain();
    await main.logged('opencast-s3-distribution started');
    main.child.kill('SIGTERM');
    const [code, signal] = await main.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const messages = main.lines.map((l) => l.msg);
    expect(messages).toContain('shutting down');
    expect(messages.at(-1)).toBe('stopped');
    // On Node 20 the AWS SDK's multi-line warning is replaced by one line of ours.
    expect(main.stderr()).not.toMatch(/NodeVersionSupportWarning/);
    if (Number(process.versions.node.split('.')[0]) < 22) {
      expect(messages.some((m) => m?.startsWith(`Node ${process.version}: supported`))).toBe(true);
    }
  }, 60_000);

  it('exits at once with code 1 on a second signal while it drains', async () => {
    const main = startMain();
    const { url } = await main.logged('HTTP adapter listening');
    await main.logged('opencast-s3-distribution started');
    const mediapackage =
      '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="main-mp"><media>' +
      '<track id="t1" type="presenter/delivery"><mimetype>video/mp4</mimetype>' +
      `<url>${sources.baseUrl}stalled.mp4</url></track></media></mediapackage>`;
    const res = await postForm(`${url ?? ''}/distribution/s3`, {
      channelId: 'main',
      mediapackage,
      elementId: 't1',
      checkAvailability: 'false',
    });
    expect(res.status).toBe(200);
    // A command in flight whose source never finishes: the drain waits for it.
    await waitFor(() => (sources.hits.get('stalled.mp4') ?? 0) > 0, 15_000, 'the upload');
    main.child.kill('SIGTERM');
    await main.logged('shutting down');
    main.child.kill('SIGINT');
    const [code] = await main.exited;
    expect(code).toBe(1);
    const messages = main.lines.map((l) => l.msg);
    expect(messages).toContain('second signal: exiting now');
    expect(messages).not.toContain('stopped');
  }, 60_000);
});
