/**
 * Issue 10: the `ocs3` tool against a real stack (RabbitMQ, s3rver, the service with Digest
 * authentication): distribute and retract --sync, job --follow of a long upload, and the
 * parking queue (a command parked at the delivery limit, listed and replayed).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { readInput } from '../../src/cli/process-io.js';
import { runCli } from '../../src/cli/run.js';
import { recordEvents, type EventRecorder } from '../helpers/event-recorder.js';
import { startFaultProxy, type FaultProxy } from '../helpers/rabbit.js';
import { startTestStack, type TestStack } from '../helpers/service.js';
import { waitFor, waitForValue } from '../helpers/wait-for.js';

const USER = 'ops';
const PASSWORD = 'cli secret';
let stack: TestStack | undefined;
let dir = '';

function live(): TestStack {
  if (stack === undefined) throw new Error('stack did not start');
  return stack;
}

/** Runs `ocs3` in this process with captured output. */
async function ocs3(
  argv: string[],
  env: Record<string, string> = {},
  tty = false,
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: { write: (text) => void out.push(text), isTTY: tty, columns: 100 },
    err: { write: (text) => void err.push(text) },
    env: {
      OCS3_URL: live().url,
      OCS3_USER: USER,
      OCS3_PASSWORD: PASSWORD,
      AMQP_URL: live().amqpUrl,
      AMQP_PREFIX: live().prefix,
      ...env,
    },
    readInput,
    sleep: (ms) => sleep(ms),
  };
  const code = await runCli(argv, io);
  return { code, out: out.join(''), err: err.join('') };
}

function mediapackage(id: string, elements: string): string {
  return `<mediapackage xmlns="http://mediapackage.opencastproject.org" id="${id}">${elements}</mediapackage>`;
}

beforeAll(async () => {
  stack = await startTestStack({
    AUTH_DIGEST_USER: USER,
    AUTH_DIGEST_PASSWORD: PASSWORD,
    PROGRESS_INTERVAL_MS: '200',
    SOURCE_READ_TIMEOUT_MS: '30000',
  });
  dir = await mkdtemp(join(tmpdir(), 'ocs3-cli-'));
}, 60_000);

afterAll(async () => {
  await stack?.close();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('ocs3 distribute and retract', () => {
  it('--sync publishes, prints the elements, and retract --sync removes them', async () => {
    live().sources.set('cli-video.mp4', Buffer.alloc(4096, 7));
    live().sources.set('cli-dc.xml', '<dublincore/>');
    const file = join(dir, 'mp.xml');
    await writeFile(
      file,
      mediapackage(
        'cli-mp',
        `<media><track id="t1" type="presenter/delivery"><mimetype>video/mp4</mimetype><url>${live().sources.baseUrl}cli-video.mp4</url></track></media>` +
          `<metadata><catalog id="c1" type="dublincore/episode"><mimetype>text/xml</mimetype><url>${live().sources.baseUrl}cli-dc.xml</url></catalog></metadata>`,
      ),
    );
    const distributed = await ocs3(['distribute', file, '--channel', 'cli', '--sync']);
    expect(distributed.err).toBe('elements: t1, c1\n');
    expect(distributed.code).toBe(0);
    const urls = [...distributed.out.matchAll(/<url>([^<]+)<\/url>/g)].map((m) => m[1] ?? '');
    expect(urls).toHaveLength(2);
    for (const url of urls) {
      expect(url.startsWith(live().baseUrl)).toBe(true);
      expect((await fetch(url)).status).toBe(200);
    }

    // Retract takes the published mediapackage, here from standard input's stand-in: a file.
    const published = join(dir, 'published.xml');
    await writeFile(
      published,
      mediapackage(
        'cli-mp',
        `<media><track id="t1" type="presenter/delivery"><url>${urls[0] ?? ''}</url></track></media>`,
      ),
    );
    const retracted = await ocs3(['retract', published, '-c', 'cli', '-e', 't1', '--sync']);
    expect(retracted).toMatchObject({ code: 0, err: '' });
    expect((await fetch(urls[0] ?? '')).status).toBe(404);
  }, 60_000);

  it('says why when the service refuses or cannot be reached', async () => {
    const file = join(dir, 'refused.xml');
    await writeFile(
      file,
      mediapackage(
        'cli-refused',
        '<media><track id="t1"><url>http://elsewhere.test/x.mp4</url></track></media>',
      ),
    );
    const forbidden = await ocs3(['distribute', file, '-c', 'cli', '--sync']);
    expect(forbidden.code).toBe(1);
    expect(forbidden.err).toMatch(/HTTP 400 SOURCE_FORBIDDEN/);

    const wrong = await ocs3(['job', '1'], { OCS3_PASSWORD: 'wrong' });
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/HTTP 401 \(credentials refused/);

    const down = await ocs3(['job', '1', '--url', 'http://127.0.0.1:9']);
    expect(down.code).toBe(3);
    expect(down.err).toMatch(/got no answer/);

    const unknown = await ocs3(['job', '4242']);
    expect(unknown).toMatchObject({ code: 1, out: '' });
    expect(unknown.err).toMatch(/No job 4242/);
  });
});

describe('ocs3 job --follow', () => {
  it('follows a long upload with growing progress until FINISHED (plain lines off a terminal)', async () => {
    const size = 32 * 1024 * 1024;
    live().sources.setSlow('cli-long.mp4', size, 6000);
    const file = join(dir, 'long.xml');
    await writeFile(
      file,
      mediapackage(
        'cli-long',
        `<media><track id="t1"><mimetype>video/mp4</mimetype><size>${size}</size><url>${live().sources.baseUrl}cli-long.mp4</url></track></media>`,
      ),
    );
    const submitted = await ocs3(['distribute', file, '-c', 'cli', '--no-check-availability']);
    expect(submitted.code).toBe(0);
    const id = submitted.out.trim();
    expect(id).toMatch(/^\d+$/);

    const followed = await ocs3(['job', id, '--follow', '--interval', '200']);
    expect(followed.code).toBe(0);
    const lines = followed.out.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(new RegExp(`^job ${id}  FINISHED`));
    const percents = lines
      .map((line) => /(\d+)%/.exec(line)?.[1])
      .filter((p): p is string => p !== undefined)
      .map(Number);
    // Several different points of the upload, never going back.
    expect(new Set(percents.filter((p) => p < 100)).size).toBeGreaterThanOrEqual(2);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
    expect(lines.some((line) => line.includes('/ 32.0 MiB'))).toBe(true);
    expect(followed.out).not.toContain('\r');

    // The finished job once, as JSON and as text, through the built entry point's source.
    const shown = await ocs3(['job', id]);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/FINISHED/);
    expect(shown.out).toMatch(/channel {4}cli/);
  }, 90_000);

  it('on a terminal redraws one line, and exits 1 for a FAILED job', async () => {
    const file = join(dir, 'missing.xml');
    await writeFile(
      file,
      mediapackage(
        'cli-missing',
        `<media><track id="t1"><url>${live().sources.baseUrl}nothing-here.mp4</url></track></media>`,
      ),
    );
    const submitted = await ocs3(['distribute', file, '-c', 'cli', '--follow'], {}, true);
    expect(submitted.code).toBe(1);
    const [id, drawn] = submitted.out.split('\n');
    expect(id).toMatch(/^\d+$/);
    expect(drawn).toMatch(new RegExp(`\\rjob ${id ?? ''}  FAILED`));
    expect(submitted.out.endsWith('\n')).toBe(true);
  }, 60_000);
});

describe('the ocs3 entry point', () => {
  it('runs as a program: help, and the exit status of a job', async () => {
    const run = promisify(execFile);
    const args = ['--import', 'tsx', 'src/cli.ts'];
    const help = await run(process.execPath, [...args, 'job', '--help']);
    expect(help.stdout).toMatch(/^Usage: ocs3 job/);
    const failed = await run(process.execPath, [...args, 'job', 'x']).catch(
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toMatch(/not a job id/);
  }, 30_000);
});

describe('ocs3 parked', () => {
  let proxy: FaultProxy | undefined;
  let recorder: EventRecorder | undefined;
  let parkedStack: TestStack | undefined;

  function parkedLive(): TestStack {
    if (parkedStack === undefined) throw new Error('stack did not start');
    return parkedStack;
  }
  const parked = (argv: string[]) =>
    ocs3(argv, { AMQP_URL: parkedLive().amqpUrl, AMQP_PREFIX: parkedLive().prefix });

  beforeAll(async () => {
    // The API alone with the smallest delivery limit, as in delivery-limit.test.ts.
    parkedStack = await startTestStack({ ROLE: 'api', AMQP_DELIVERY_LIMIT: '1' });
    proxy = await startFaultProxy(parkedStack.amqpUrl);
    recorder = await recordEvents(parkedStack.amqpUrl, parkedStack.prefix, ['*.completed']);
  }, 60_000);

  afterAll(async () => {
    await recorder?.close();
    await parkedStack?.close();
    await proxy?.close();
  });

  it('lists a command parked at the delivery limit without consuming it, and replays it', async () => {
    const faults = proxy;
    if (faults === undefined || recorder === undefined) throw new Error('setup did not finish');
    const { channel, events } = recorder;
    const sources = parkedLive().sources;
    sources.setStalled('cli-stuck.xml');
    const dying = await parkedLive().startAnother({
      ROLE: 'worker',
      AMQP_URL: faults.url,
      AMQP_DELIVERY_LIMIT: '1',
      SOURCE_READ_TIMEOUT_MS: '120000',
    });
    const file = join(dir, 'stuck.xml');
    await writeFile(
      file,
      mediapackage(
        'cli-stuck',
        `<metadata><catalog id="c1" type="dublincore/episode"><mimetype>text/xml</mimetype><url>${sources.baseUrl}cli-stuck.xml</url></catalog></metadata>`,
      ),
    );
    const submitted = await ocs3(
      ['distribute', file, '-c', 'cli-parked', '--no-check-availability'],
      {
        OCS3_URL: parkedLive().url,
      },
    );
    expect(submitted.code).toBe(0);
    const jobId = submitted.out.trim();
    for (const delivery of [1, 2]) {
      await waitFor(
        () => sources.hits.get('cli-stuck.xml') === delivery,
        20_000,
        `delivery ${delivery}`,
      );
      faults.dropConnections();
    }
    const queue = `${parkedLive().prefix}.parked`;
    await waitFor(
      async () => (await channel.checkQueue(queue)).messageCount === 1,
      20_000,
      'the parked command',
    );
    // The worker that parked it remembers the outcome; a fresh one runs the replay.
    await dying.close();

    // Two more parked messages, as a worker parks them (reason in the headers).
    for (const [messageId, code] of [
      ['extra-1', 'STORAGE_UNAVAILABLE'],
      ['extra-2', 'SOURCE_UNAVAILABLE'],
    ] as const) {
      channel.sendToQueue(
        queue,
        Buffer.from(JSON.stringify({ version: 1, type: 'retract', jobId: '77' })),
        {
          messageId,
          persistent: true,
          headers: {
            'x-ocs3-error-code': code,
            'x-ocs3-error-message': 'gave up',
            'x-ocs3-routing-key': 'retract',
          },
        },
      );
    }
    await waitFor(
      async () => (await channel.checkQueue(queue)).messageCount === 3,
      10_000,
      'three parked',
    );

    const first = await parked(['parked', 'list']);
    expect(first.code).toBe(0);
    const lines = first.out.trimEnd().split('\n');
    expect(lines[0]).toBe(`3 parked in ${queue}`);
    expect(lines[1]).toMatch(
      new RegExp(
        `^ {3}1 {2}${jobId} {2}job ${jobId} {2}distribute {2}DELIVERY_LIMIT: Parked after too many deliveries`,
      ),
    );
    expect(lines[2]).toMatch(
      /^ {3}2 {2}extra-1 {2}job 77 {2}retract {2}STORAGE_UNAVAILABLE: gave up$/,
    );
    expect(lines[3]).toMatch(/extra-2/);
    // Nothing consumed, same order on a second look; --limit and --json.
    const second = await parked(['parked', 'list']);
    expect(second.out).toBe(first.out);
    const json = await parked(['parked', 'list', '--limit', '1', '--json']);
    expect(JSON.parse(json.out)).toMatchObject({
      messageId: jobId,
      jobId,
      routingKey: 'distribute',
      errorCode: 'DELIVERY_LIMIT',
      deadLetterReason: 'delivery_limit',
    });
    expect((await channel.checkQueue(queue)).messageCount).toBe(3);

    // An id that is not parked: nothing happens, exit 1.
    const unknown = await parked(['parked', 'replay', 'no-such-id']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/not parked: no-such-id/);
    expect((await channel.checkQueue(queue)).messageCount).toBe(3);

    // The source works again, a fresh worker runs: replay the parked distribute.
    sources.remove('cli-stuck.xml');
    sources.set('cli-stuck.xml', '<dublincore/>');
    await parkedLive().startAnother({ ROLE: 'worker', AMQP_DELIVERY_LIMIT: '1' });
    const replayed = await parked(['parked', 'replay', jobId]);
    expect(replayed.err).toBe('');
    expect(replayed.code).toBe(0);
    expect(replayed.out).toBe(
      `replayed ${jobId} (job ${jobId}) as distribute\n1 replayed, 2 left parked\n`,
    );
    await waitForValue(
      () =>
        events.find((e) => e.routingKey === 'distribute.completed' && e.event.data.jobId === jobId),
      20_000,
      'the replayed command to complete',
    );
    const left = await parked(['parked', 'list']);
    expect(left.out.split('\n')[0]).toBe(`2 parked in ${queue}`);
    expect(left.out).toMatch(/ {3}1 {2}extra-1 .*\n {3}2 {2}extra-2 /);
  }, 120_000);
});
