/**
 * Issue 8 item 4: a command parked at the delivery limit (its workers kept dying) used to
 * send no event and no reply: the sync caller waited until 504 and the job stayed RUNNING.
 * Now it ends its job FAILED with DELIVERY_LIMIT, a `failed` event and a reply, and the
 * parked message carries the reason in its headers.
 */
import type { Channel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvents, type EventRecorder, type RecordedEvent } from '../helpers/event-recorder.js';
import { postForm } from '../helpers/http.js';
import { startFaultProxy, waitFor, type FaultProxy } from '../helpers/rabbit.js';
import { startTestStack, type TestStack } from '../helpers/service.js';
import { waitForValue } from '../helpers/wait-for.js';

let stack: TestStack | undefined;
let proxy: FaultProxy | undefined;
let recorder: EventRecorder | undefined;
let channel: Channel;
let events: RecordedEvent[] = [];

function live(): TestStack {
  if (stack === undefined) throw new Error('stack did not start');
  return stack;
}

beforeAll(async () => {
  // The API alone, with the smallest limit: a command is dead-lettered after 2 deliveries.
  stack = await startTestStack({ ROLE: 'api', AMQP_DELIVERY_LIMIT: '1' });
  proxy = await startFaultProxy(stack.amqpUrl);
  recorder = await recordEvents(stack.amqpUrl, stack.prefix, ['#']);
  ({ channel, events } = recorder);
}, 60_000);

afterAll(async () => {
  await recorder?.close();
  await stack?.close();
  await proxy?.close();
});

describe('a command whose workers keep dying', () => {
  it('ends FAILED with an event and a reply at the delivery limit, parked with its reason', async () => {
    const faults = proxy;
    if (faults === undefined) throw new Error('proxy did not start');
    // Every read of this source hangs: the worker is busy with it when its link dies.
    live().sources.setStalled('stuck.xml');
    await live().startAnother({
      ROLE: 'worker',
      AMQP_URL: faults.url,
      AMQP_DELIVERY_LIMIT: '1',
      SOURCE_READ_TIMEOUT_MS: '120000',
    });
    const mediapackage =
      '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="limit-mp"><metadata>' +
      '<catalog id="c1" type="dublincore/episode"><mimetype>text/xml</mimetype>' +
      `<url>${live().sources.baseUrl}stuck.xml</url></catalog></metadata></mediapackage>`;
    const answer = postForm(
      `${live().url}/distribution/s3/distributesync`,
      { channelId: 'delivery-limit', mediapackage, elementId: 'c1', checkAvailability: 'false' },
      { signal: AbortSignal.timeout(60_000) },
    );

    // Two deliveries, each lost with the worker's connection (as if the worker died).
    for (const delivery of [1, 2]) {
      await waitFor(
        () => live().sources.hits.get('stuck.xml') === delivery,
        20_000,
        `delivery ${delivery}`,
      );
      faults.dropConnections();
    }

    const res = await answer;
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(res.status).toBe(502);
    expect(body.error.code).toBe('DELIVERY_LIMIT');

    const failed = await waitForValue(
      () =>
        events.find(
          (e) =>
            e.routingKey === 'distribute.failed' && e.event.data.channelId === 'delivery-limit',
        ),
      10_000,
      'the failed event',
    );
    expect(failed.event.data.error).toMatchObject({ code: 'DELIVERY_LIMIT', retryable: false });
    const jobId = String(failed.event.data.jobId);
    const job = await fetch(`${live().url}/jobs/${jobId}.json`);
    expect(((await job.json()) as { status: string }).status).toBe('FAILED');

    const parked = await waitForValue(
      async () => {
        const message = await channel.get(`${live().prefix}.parked`, { noAck: true });
        return message === false ? undefined : message;
      },
      10_000,
      'the parked command',
    );
    expect(JSON.parse(parked.content.toString())).toMatchObject({ jobId, type: 'distribute' });
    expect(parked.properties.headers).toMatchObject({
      'x-ocs3-error-code': 'DELIVERY_LIMIT',
      'x-ocs3-routing-key': 'distribute',
      'x-ocs3-dead-letter-reason': 'delivery_limit',
    });
    expect(String(parked.properties.headers?.['x-ocs3-error-message'])).toContain(
      'too many deliveries',
    );
    // Nothing else is left in the dead-letter queue.
    expect((await channel.checkQueue(`${live().prefix}.dead-letters`)).messageCount).toBe(0);
  }, 120_000);
});
