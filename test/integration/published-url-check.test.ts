/**
 * A DISTRIBUTION_BASE_URL nobody can connect to (here a closed port, as `localhost` is from
 * inside a container): the distribute still succeeds (the objects are stored, as in
 * Opencast), the check gives up at the first refused connection instead of trying 10 times,
 * and says what it found in the sync answer's header, the job record and the event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvents, type EventRecorder } from '../helpers/event-recorder.js';
import { closedPort, postForm } from '../helpers/http.js';
import { startTestStack, type TestStack } from '../helpers/service.js';
import { waitForValue } from '../helpers/wait-for.js';

let stack: TestStack;
let recorder: EventRecorder | undefined;
let closedBase: string;

function mediapackage(): string {
  return (
    '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="check-mp"><metadata>' +
    '<catalog id="dc" type="dublincore/episode"><mimetype>text/xml</mimetype>' +
    `<url>${stack.sources.baseUrl}dc.xml</url></catalog></metadata></mediapackage>`
  );
}

beforeAll(async () => {
  closedBase = `http://127.0.0.1:${String(await closedPort())}/bucket/`;
  stack = await startTestStack({
    DISTRIBUTION_BASE_URL: closedBase,
    // Ten tries a minute apart: only giving up at the refused connection ends this in time.
    CHECK_AVAILABILITY_TRIES: '10',
    CHECK_AVAILABILITY_INTERVAL_MS: '60000',
  });
  stack.sources.set('dc.xml', '<dublincore/>');
  recorder = await recordEvents(stack.amqpUrl, stack.prefix, ['#']);
}, 60_000);

afterAll(async () => {
  await recorder?.close();
  await (stack as TestStack | undefined)?.close();
});

describe('an unreachable published URL', () => {
  it('answers 200 and says so in the header, the job record and the event', async () => {
    const res = await postForm(`${stack.url}/distribution/s3/distributesync`, {
      channelId: 'engage-player',
      mediapackage: mediapackage(),
      elementId: 'dc',
    });
    expect(res.status).toBe(200);
    const url = `${closedBase}mh_default_org/engage-player/check-mp/dc/dc.xml`;
    expect(res.headers.get('X-Published-Url-Check')).toBe(
      `unreachable; count=1/1; url="${url}"; detail="ECONNREFUSED"`,
    );
    const jobId = res.headers.get('X-Job-Id') ?? '';

    const job = (await (await fetch(`${stack.url}/jobs/${jobId}.json`)).json()) as Record<
      string,
      unknown
    >;
    expect(job.status).toBe('FINISHED');
    expect(job.urlChecks).toEqual([
      { elementId: 'dc', url, result: 'unreachable', detail: 'ECONNREFUSED' },
    ]);

    const event = await waitForValue(
      () =>
        recorder?.events.find(
          (e) => e.routingKey === 'distribute.completed' && e.event.data.jobId === jobId,
        ),
      15_000,
      'the completed event',
    );
    expect(event.event.data.elements).toEqual([
      expect.objectContaining({
        available: false,
        urlCheck: { result: 'unreachable', detail: 'ECONNREFUSED' },
      }),
    ]);
  });

  it('sends no header when the caller asked for no check', async () => {
    const res = await postForm(`${stack.url}/distribution/s3/distributesync`, {
      channelId: 'engage-player',
      mediapackage: mediapackage(),
      elementId: 'dc',
      checkAvailability: 'false',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('X-Published-Url-Check')).toBeNull();
  });
});
