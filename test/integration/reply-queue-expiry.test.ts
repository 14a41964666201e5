/**
 * Replies lost with an expired reply queue (issue 8 item 5): the API's broker link is down
 * longer than REPLY_QUEUE_EXPIRES_MS, so the broker deletes its reply queue and the
 * worker's reply has nowhere to go. The worker also records the outcome in the shared job
 * store; once the API is back it looks there, and the waiting caller gets the real 200.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import amqp from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { postForm } from '../helpers/http.js';
import { startFaultProxy, startTestBroker, waitFor, type FaultProxy } from '../helpers/rabbit.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { startTestStack, type TestStack } from '../helpers/service.js';

const opened: { close(): Promise<void> }[] = [];

afterAll(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});

/** Whether the broker still has `queue` (checked on a connection of the test's own). */
async function queueExists(url: string, queue: string): Promise<boolean> {
  const connection = await amqp.connect(url);
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    await channel.checkQueue(queue);
    return true;
  } catch {
    return false;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

describe('a reply queue that expired during an API-side broker outage', () => {
  it('still answers the waiting caller with the outcome the worker recorded', async () => {
    const redis: TestRedis = await startTestRedis();
    opened.push(redis);
    const broker = await startTestBroker();
    const proxy: FaultProxy = await startFaultProxy(broker.url);
    const store = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.keyPrefix };
    // Only the API goes through the proxy; the worker keeps its own link to the broker.
    const live: TestStack = await startTestStack(
      {
        ...store,
        ROLE: 'api',
        AMQP_URL: proxy.url,
        REPLY_QUEUE_EXPIRES_MS: '11000',
        SYNC_TIMEOUT_MS: '90000',
      },
      broker,
    );
    opened.push(proxy, live);
    await live.startAnother({ ...store, ROLE: 'worker' });
    const held = live.sources.hold('late.xml', '<late/>');
    const replyQueue = live.service.broker.replyQueue;
    expect(replyQueue).toBeDefined();

    const pending = postForm(
      `${live.url}/distribution/s3/distributesync`,
      {
        channelId: 'expiry',
        mediapackage:
          '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="expiry-mp">' +
          '<metadata><catalog id="c1" type="dublincore/episode"><mimetype>text/xml</mimetype>' +
          `<url>${live.sources.baseUrl}late.xml</url></catalog></metadata></mediapackage>`,
        elementId: 'c1',
        checkAvailability: 'false',
      },
      { signal: AbortSignal.timeout(100_000) },
    );
    await held.arrived;

    proxy.setAccepting(false);
    proxy.dropConnections();
    // Checked once: a passive declare counts as use and would restart the expiry.
    await sleep(14_000);
    expect(await queueExists(broker.url, replyQueue ?? '')).toBe(false);

    held.release();
    await waitFor(
      async () => {
        for (const key of (await redis.keys()).keys()) {
          if ((await redis.read(key))?.includes('"status":"FINISHED"') === true) return true;
        }
        return false;
      },
      20_000,
      'the worker to record FINISHED',
    );

    proxy.setAccepting(true);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('expiry-mp/c1/late.xml');
    const id = res.headers.get('X-Job-Id');
    const job = (await (await fetch(`${live.url}/jobs/${id ?? ''}.json`)).json()) as {
      status: string;
    };
    expect(job.status).toBe('FINISHED');
  }, 120_000);
});
