/**
 * Graceful shutdown with work in flight: a waiting sync request is answered 503 at once,
 * the running command goes back to the queue (nothing accepted is lost), close() returns.
 */
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postForm } from '../helpers/http.js';
import { startTestStack, type TestStack } from '../helpers/service.js';
import { waitFor } from '../helpers/rabbit.js';

let stack: TestStack | undefined;

function live(): TestStack {
  if (stack === undefined) throw new Error('stack did not start');
  return stack;
}

beforeAll(async () => {
  stack = await startTestStack({ SHUTDOWN_GRACE_MS: '500', SOURCE_READ_TIMEOUT_MS: '30000' });
  stack.sources.setStalled('stalled.mp4');
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('shutdown with a command in flight', () => {
  it('answers the waiting sync request with 503 and hands the command back', async () => {
    const mediapackage =
      '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="stop-mp"><media>' +
      '<track id="t1" type="presenter/delivery"><mimetype>video/mp4</mimetype>' +
      `<url>${live().sources.baseUrl}stalled.mp4</url></track></media></mediapackage>`;
    const pending = postForm(`${live().url}/distribution/s3/distributesync`, {
      channelId: 'stop',
      mediapackage,
      elementId: 't1',
      checkAvailability: 'false',
    });
    await waitFor(() => (live().sources.hits.get('stalled.mp4') ?? 0) > 0, 10_000, 'the upload');

    await live().service.close();
    const res = await pending;
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('SHUTTING_DOWN');

    const connection = await amqp.connect(live().amqpUrl);
    try {
      const channel = await connection.createChannel();
      const work = await channel.checkQueue(`${live().prefix}.work`);
      expect(work.messageCount).toBe(1);
    } finally {
      await connection.close();
    }
    expect(await live().s3.listKeys(live().bucket, 'mh_default_org/stop/')).toEqual([]);
  }, 30_000);
});
