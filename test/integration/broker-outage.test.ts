/**
 * The broker goes away and comes back: requests get 503 at once (Opencast retries on 503),
 * never a hang or a silent drop, and the service recovers by itself.
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

function mediapackage(): string {
  return (
    '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="outage-mp"><metadata>' +
    `<catalog id="c1" type="dublincore/episode"><mimetype>text/xml</mimetype>` +
    `<url>${live().sources.baseUrl}c1.xml</url></catalog></metadata></mediapackage>`
  );
}

function distribute(path: string): Promise<Response> {
  return postForm(
    `${live().url}/distribution/s3${path}`,
    {
      channelId: 'outage',
      mediapackage: mediapackage(),
      elementId: 'c1',
      checkAvailability: 'false',
    },
    // A hang is the failure this test looks for; the bound is generous.
    { signal: AbortSignal.timeout(10_000) },
  );
}

async function readyStatus(): Promise<number> {
  return (await fetch(`${live().url}/ready`)).status;
}

beforeAll(async () => {
  // The proxy sits in front of whichever broker the test setup chose.
  const broker = await startTestBroker();
  proxy = await startFaultProxy(broker.url);
  stack = await startTestStack({ AMQP_URL: proxy.url }, broker);
  stack.sources.set('c1.xml', '<c1/>');
}, 60_000);

afterAll(async () => {
  await stack?.close();
  await proxy?.close();
});

describe('broker outage', () => {
  it('answers 503 with Retry-After while the broker is down, and recovers', async () => {
    const faults = proxy;
    if (faults === undefined) throw new Error('proxy did not start');
    expect((await distribute('/distributesync')).status).toBe(200);

    faults.setAccepting(false);
    faults.dropConnections();
    await waitFor(async () => (await readyStatus()) === 503, 10_000);

    for (const path of ['', '/distributesync', '/retract']) {
      const res = await distribute(path);
      expect(res.status).toBe(503);
      expect(res.headers.get('Retry-After')).toBe('10');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'BROKER_UNAVAILABLE',
      );
    }
    expect((await fetch(`${live().url}/health`)).status).toBe(200);

    faults.setAccepting(true);
    await waitFor(async () => (await readyStatus()) === 200, 20_000);
    const again = await distribute('/distributesync');
    expect(again.status).toBe(200);
    const stored = await live().s3.readObject(
      live().bucket,
      'mh_default_org/outage/outage-mp/c1/c1.xml',
    );
    expect(stored?.toString()).toBe('<c1/>');
  }, 60_000);
});
