/**
 * Graceful shutdown with sync callers waiting (issue 8 item 3): new requests get 503 at
 * once, a caller whose command finishes within the grace gets its 200, and a caller still
 * waiting when the grace ends gets 504 naming its job (it goes on), never "retry". The
 * command that could not finish goes back to the queue: nothing accepted is lost.
 */
import amqp from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import { postForm } from '../helpers/http.js';
import { startTestStack, type TestStack } from '../helpers/service.js';
import { waitFor } from '../helpers/rabbit.js';

let stack: TestStack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

function distributeSync(live: TestStack, channelId: string, mp: string, element: string) {
  return postForm(`${live.url}/distribution/s3/distributesync`, {
    channelId,
    mediapackage: mp,
    elementId: element,
    checkAvailability: 'false',
  });
}

function catalogPackage(live: TestStack, id: string, file: string): string {
  return (
    `<mediapackage xmlns="http://mediapackage.opencastproject.org" id="${id}"><metadata>` +
    `<catalog id="c1" type="dublincore/episode"><mimetype>text/xml</mimetype>` +
    `<url>${live.sources.baseUrl}${file}</url></catalog></metadata></mediapackage>`
  );
}

describe('shutdown with sync callers waiting', () => {
  it('answers new requests 503 and lets a command that finishes within the grace answer 200', async () => {
    const live = (stack = await startTestStack({ SHUTDOWN_GRACE_MS: '20000' }));
    const held = live.sources.hold('held.xml', '<held/>');
    const pending = distributeSync(
      live,
      'grace',
      catalogPackage(live, 'grace-mp', 'held.xml'),
      'c1',
    );
    await held.arrived;

    const closing = live.service.close();
    // Shutting down: a new request is refused at once, and says so.
    const late = await distributeSync(live, 'late', catalogPackage(live, 'late-mp', 'x.xml'), 'c1');
    expect(late.status).toBe(503);
    expect(await late.text()).toContain('SHUTTING_DOWN');
    expect((await fetch(`${live.url}/ready`)).status).toBe(503);

    held.release();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('grace-mp/c1/held.xml');
    await closing;
    const stored = await live.s3.readObject(
      live.bucket,
      'mh_default_org/grace/grace-mp/c1/held.xml',
    );
    expect(stored?.toString()).toBe('<held/>');
  }, 60_000);

  it('tells a caller still waiting when the grace ends that its job goes on (504), and hands the command back', async () => {
    const live = (stack = await startTestStack({
      SHUTDOWN_GRACE_MS: '500',
      SOURCE_READ_TIMEOUT_MS: '30000',
    }));
    live.sources.setStalled('stalled.mp4');
    const mediapackage =
      '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="stop-mp"><media>' +
      '<track id="t1" type="presenter/delivery"><mimetype>video/mp4</mimetype>' +
      `<url>${live.sources.baseUrl}stalled.mp4</url></track></media></mediapackage>`;
    const pending = distributeSync(live, 'stop', mediapackage, 't1');
    await waitFor(() => (live.sources.hits.get('stalled.mp4') ?? 0) > 0, 10_000, 'the upload');

    await live.service.close();
    const res = await pending;
    expect(res.status).toBe(504);
    expect(res.headers.get('Retry-After')).toBeNull();
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('REPLY_TIMEOUT');
    expect(body.error.message).toMatch(/goes on, see \/jobs\/\d+/);

    const connection = await amqp.connect(live.amqpUrl);
    try {
      const channel = await connection.createChannel();
      const work = await channel.checkQueue(`${live.prefix}.work`);
      expect(work.messageCount).toBe(1);
    } finally {
      await connection.close();
    }
    expect(await live.s3.listKeys(live.bucket, 'mh_default_org/stop/')).toEqual([]);
  }, 60_000);
});
