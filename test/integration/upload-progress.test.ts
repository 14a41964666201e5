/**
 * Issue 9 "Progress": a long upload reports bytes done and total while it runs, in
 * `GET /jobs/{id}` JSON and as `distribute.progress` events, at a bounded rate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobProgress } from '../../src/contract/progress.js';
import { recordEvents, type EventRecorder } from '../helpers/event-recorder.js';
import { postForm } from '../helpers/http.js';
import { startTestStack, type TestStack } from '../helpers/service.js';
import { waitFor } from '../helpers/wait-for.js';

const SIZE = 40 * 1024 * 1024;
let stack: TestStack | undefined;
let recorder: EventRecorder | undefined;

function live(): TestStack {
  if (stack === undefined) throw new Error('stack did not start');
  return stack;
}

beforeAll(async () => {
  stack = await startTestStack({ PROGRESS_INTERVAL_MS: '200', SOURCE_READ_TIMEOUT_MS: '30000' });
  recorder = await recordEvents(stack.amqpUrl, stack.prefix, ['distribute.*']);
}, 60_000);

afterAll(async () => {
  await recorder?.close();
  await stack?.close();
});

describe('a long upload', () => {
  it('shows its progress growing in GET /jobs/{id} and as progress events', async () => {
    const events = recorder?.events ?? [];
    // 40 MiB in 20 steps over about 8 s: several reports at 200 ms.
    live().sources.setSlow('long.mp4', SIZE, 8000);
    const mediapackage =
      '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="progress-mp"><media>' +
      `<track id="t1" type="presenter/delivery"><mimetype>video/mp4</mimetype><size>${SIZE}</size>` +
      `<url>${live().sources.baseUrl}long.mp4</url></track></media></mediapackage>`;
    const res = await postForm(`${live().url}/distribution/s3`, {
      channelId: 'progress',
      mediapackage,
      elementId: 't1',
      checkAvailability: 'false',
    });
    expect(res.status).toBe(200);
    const jobId = /<job [^>]*id="(\d+)"/.exec(await res.text())?.[1];
    if (jobId === undefined) throw new Error('no job id');

    // Poll the job as an operator would, until it ends; keep every progress seen.
    const seen: JobProgress[] = [];
    let status = 'QUEUED';
    await waitFor(
      async () => {
        const job = (await (await fetch(`${live().url}/jobs/${jobId}.json`)).json()) as {
          status: string;
          progress?: JobProgress;
        };
        status = job.status;
        const last = seen.at(-1);
        if (job.progress !== undefined && job.progress.bytesDone !== last?.bytesDone) {
          seen.push(job.progress);
        }
        return status === 'FINISHED' || status === 'FAILED';
      },
      60_000,
      'the job to end',
      50,
    );
    expect(status).toBe('FINISHED');
    const running = seen.filter((p) => p.bytesDone < SIZE);
    expect(running.length).toBeGreaterThanOrEqual(2);
    for (const [index, progress] of seen.entries()) {
      expect(progress).toMatchObject({ bytesTotal: SIZE, elementsTotal: 1 });
      if (index > 0) expect(progress.bytesDone).toBeGreaterThan(seen[index - 1]?.bytesDone ?? 0);
    }
    // The job XML (what Opencast reads) has no trace of it.
    const xml = await (await fetch(`${live().url}/jobs/${jobId}.xml`)).text();
    expect(xml).not.toMatch(/<progress|bytesDone|elementsDone/);

    await waitFor(
      () => events.some((e) => e.routingKey === 'distribute.completed'),
      10_000,
      'the completed event',
    );
    const progressEvents = events.filter(
      (e) => e.routingKey === 'distribute.progress' && e.event.subject === 'progress-mp',
    );
    expect(progressEvents.length).toBeGreaterThanOrEqual(2);
    const done = progressEvents.map(
      (e) => (e.event.data as { progress: JobProgress }).progress.bytesDone,
    );
    expect([...done].sort((a, b) => a - b)).toEqual(done);
    expect(new Set(progressEvents.map((e) => e.event.id)).size).toBe(progressEvents.length);
    expect(progressEvents[0]).toMatchObject({
      persistent: false,
      event: {
        type: 'org.opencastproject.distribution.s3.distribute.progress',
        data: { jobId, channelId: 'progress', progress: { bytesTotal: SIZE, elementsTotal: 1 } },
      },
    });
  }, 120_000);
});
