/**
 * README's "Distribute a file with curl" walkthrough, run by bash as a new user pastes it
 * (build, start, wait for /ready, distribute, stop). Only the ports, the /tmp paths and the
 * broker's name prefix differ, so it runs beside other tests and services on this machine.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../helpers/http.js';
import { startTestBroker, type TestBroker } from '../helpers/rabbit.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The first fenced `sh` block after the heading. */
function walkthrough(readme: string): string {
  const start = readme.indexOf('### Distribute a file with curl');
  if (start < 0) throw new Error('README has no "Distribute a file with curl" section');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(start));
  if (block?.[1] === undefined) throw new Error('the section has no sh block');
  return block[1];
}

let broker: TestBroker;
let dir: string;

beforeAll(async () => {
  broker = await startTestBroker();
  dir = await mkdtemp(join(tmpdir(), 'ocs3-walkthrough-'));
});

afterAll(async () => {
  await broker.close();
  await rm(dir, { recursive: true, force: true });
});

describe('README walkthrough', () => {
  it('distributes the file when pasted into bash, and stops what it started', async () => {
    const [http, files, s3] = [await closedPort(), await closedPort(), await closedPort()];
    const script = walkthrough(await readFile(join(ROOT, 'README.md'), 'utf8'))
      .replaceAll('127.0.0.1:8080', `127.0.0.1:${String(http)}`)
      .replaceAll('127.0.0.1:8000', `127.0.0.1:${String(files)}`)
      .replaceAll('http.server 8000', `http.server ${String(files)}`)
      .replaceAll('/tmp/', `${dir}/`);
    const child = spawn('bash', ['-e', '-c', script], {
      cwd: ROOT,
      env: {
        ...process.env,
        HTTP_PORT: String(http),
        EMBEDDED_S3_PORT: String(s3),
        EMBEDDED_S3_DIR: join(dir, 's3'),
        AMQP_URL: broker.url,
        AMQP_PREFIX: broker.prefix,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const [code] = (await once(child, 'exit')) as [number | null];
    const log = await readFile(join(dir, 'ocs3.log'), 'utf8').catch(() => '');
    expect(code, `${out}\n--- service log ---\n${log}`).toBe(0);
    expect(out).toContain(
      `<url>http://127.0.0.1:${String(s3)}/opencast-distribution/mh_default_org/engage-player/demo-mp/track-1/video.mp4</url>`,
    );
    // `wait` returned, so the service has exited; its last words say it stopped cleanly.
    expect(log.trimEnd().split('\n').at(-1)).toContain('stopped');
  }, 180_000);
});
