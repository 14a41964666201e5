/**
 * Issue 8 item 2: a broker link that stalls (socket open, no bytes) past the confirm
 * timeout. The command was written, so it may run: the caller must not be told "503, retry"
 * (Opencast would run it twice). The async route answers 200 with the job QUEUED; a sync
 * caller keeps waiting and gets the real outcome once the link moves again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postForm } from '../helpers/http.js';
import { startFaultProxy, startTestBroker, waitFor, type FaultProxy } from '../helpers/rabbit.js';
import { startTestStack, type TestStack } from '../helpers/service.js';

let stack: TestStack | undefined;
let proxy: FaultProxy | undefined;

function live(): TestStack {
  if (stack === undefined) throw new Error('stack did not start');
  return stack;
}

function distribute(path: string, channelId: string): Promise<Response> {
  const mediapackage =
    '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="stall-mp"><metadata>' +
    `<catalog id="c1" type="dublincore/episode"><mimetype>text/xml</mimetype>` +
    `<url>${live().sources.baseUrl}c1.xml</url></catalog></metadata></mediapackage>`;
  return postForm(
    `${live().url}/distribution/s3${path}`,
    { channelId, mediapackage, elementId: 'c1', checkAvailability: 'false' },
    { signal: AbortSignal.timeout(60_000) },
  );
}

async function jobStatus(id: string): Promise<string> {
  const res = await fetch(`${live().url}/jobs/${id}.json`);
  return ((await res.json()) as { status: string }).status;
}

beforeAll(async () => {
  const broker = await startTestBroker();
  proxy = await startFaultProxy(broker.url);
  stack = await startTestStack(
    { AMQP_URL: proxy.url, AMQP_CONFIRM_TIMEOUT_MS: '1000', SYNC_TIMEOUT_MS: '60000' },
    broker,
  );
  stack.sources.set('c1.xml', '<c1/>');
}, 60_000);

afterAll(async () => {
  proxy?.resume();
  await stack?.close();
  await proxy?.close();
});

describe('a broker link that stalls past the confirm timeout', () => {
  it('never answers "retry" for a command that was written; async says QUEUED, sync gets the outcome', async () => {
    const faults = proxy;
    if (faults === undefined) throw new Error('proxy did not start');
    expect((await distribute('/distributesync', 'stall-warm')).status).toBe(200);
    const hitsBefore = live().sources.hits.get('c1.xml') ?? 0;

    faults.stall();
    const sync = distribute('/distributesync', 'stall-sync');
    // The async answer comes once the confirm timed out (1 s), while the link still stalls.
    const async = await distribute('', 'stall-async');
    const text = await async.text();
    expect(async.status, text).toBe(200);
    expect(text).toContain(`status="QUEUED"`);
    const jobId = /<job id="(\d+)"/.exec(text)?.[1] ?? '';
    expect(jobId).not.toBe('');

    faults.resume();
    const syncAnswer = await sync;
    expect(syncAnswer.status, await syncAnswer.clone().text()).toBe(200);
    expect(syncAnswer.headers.get('X-Job-Id')).toMatch(/^\d+$/);
    await waitFor(async () => (await jobStatus(jobId)) === 'FINISHED', 30_000, 'the async job');
    // Each command ran once: nobody was told to send it again.
    expect(live().sources.hits.get('c1.xml')).toBe(hitsBefore + 2);
  }, 120_000);
});
