/**
 * Competing workers and at-least-once delivery: a worker that loses its broker connection
 * in the middle of an upload does not lose the command; another worker takes it over and
 * finishes it, and the first one's abort removes nothing.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postForm } from '../helpers/http.js';
import { startFaultProxy, waitFor, type FaultProxy } from '../helpers/rabbit.js';
import { startTestStack, type TestStack } from '../helpers/service.js';

let stack: TestStack | undefined;
let proxy: FaultProxy | undefined;
const video = randomBytes(2 * 1024 * 1024);

function live(): TestStack {
  if (stack === undefined) throw new Error('stack did not start');
  return stack;
}

beforeAll(async () => {
  // The API alone: workers are started by the test.
  stack = await startTestStack({ ROLE: 'api' });
  // The proxy sits in front of whichever broker the test setup chose.
  proxy = await startFaultProxy(stack.amqpUrl);
}, 60_000);

afterAll(async () => {
  await stack?.close();
  await proxy?.close();
});

describe('a worker lost mid-upload', () => {
  it('hands its command to another worker, which finishes it', async () => {
    const faults = proxy;
    if (faults === undefined) throw new Error('proxy did not start');
    live().sources.setStalledOnce('video.mp4', video);
    await live().startAnother({
      ROLE: 'worker',
      AMQP_URL: faults.url,
      SOURCE_READ_TIMEOUT_MS: '60000',
    });

    const mediapackage =
      '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="redeliver-mp"><media>' +
      '<track id="t1" type="presenter/delivery"><mimetype>video/mp4</mimetype>' +
      `<url>${live().sources.baseUrl}video.mp4</url></track></media></mediapackage>`;
    const res = await postForm(`${live().url}/distribution/s3`, {
      channelId: 'redeliver',
      mediapackage,
      elementId: 't1',
      checkAvailability: 'false',
    });
    expect(res.status).toBe(200);
    const jobId = /<job id="(\d+)"/.exec(await res.text())?.[1] ?? '';
    await waitFor(
      () => live().sources.hits.get('video.mp4') === 1,
      10_000,
      'the first worker to start',
    );

    // The first worker's connection dies; a second worker is there to take over.
    const second = await live().startAnother({ ROLE: 'worker' });
    // Workers serve no API, only health, readiness and metrics.
    expect((await fetch(`${second.url ?? ''}/health`)).status).toBe(200);
    expect((await fetch(`${second.url ?? ''}/distribution/s3/distributesync`)).status).toBe(404);
    faults.setAccepting(false);
    faults.dropConnections();

    await waitFor(
      async () => {
        const job = await fetch(`${live().url}/jobs/${jobId}.json`);
        return ((await job.json()) as { status: string }).status === 'FINISHED';
      },
      20_000,
      'the job to finish on the second worker',
    );
    expect(live().sources.hits.get('video.mp4')).toBe(2);
    const stored = await live().s3.readObject(
      live().bucket,
      'mh_default_org/redeliver/redeliver-mp/t1/video.mp4',
    );
    expect(stored?.equals(video)).toBe(true);
  }, 60_000);
});
