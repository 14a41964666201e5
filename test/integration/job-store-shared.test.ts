/**
 * Job status shared and durable in standalone mode (issue 8 item 13): with REDIS_URL, a
 * job accepted by one API process is visible from another and after a restart, and a
 * Redis outage answers 503 JOB_STORE_UNAVAILABLE without a crash.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { postForm } from '../helpers/http.js';
import { startFaultProxy, startTestBroker, waitFor, type FaultProxy } from '../helpers/rabbit.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { startTestStack, type TestStack } from '../helpers/service.js';

const opened: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});

function distribute(apiUrl: string, live: TestStack, channelId: string): Promise<Response> {
  return postForm(`${apiUrl}/distribution/s3`, {
    channelId,
    mediapackage:
      '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="shared-mp"><metadata>' +
      `<catalog id="c1" type="dublincore/episode"><mimetype>text/xml</mimetype>` +
      `<url>${live.sources.baseUrl}c1.xml</url></catalog></metadata></mediapackage>`,
    elementId: 'c1',
    checkAvailability: 'false',
  });
}

async function jobStatus(apiUrl: string, id: string): Promise<string | number> {
  const res = await fetch(`${apiUrl}/jobs/${id}.json`);
  if (res.status !== 200) return res.status;
  return ((await res.json()) as { status: string }).status;
}

function jobIdOf(xml: string): string {
  const id = /<job [^>]*\bid="(\d+)"/.exec(xml)?.[1];
  if (id === undefined) throw new Error(`no job id in ${xml}`);
  return id;
}

describe('shared job store (Redis)', () => {
  it('shows a job accepted by one API process from another, and after a restart', async () => {
    const redis: TestRedis = await startTestRedis();
    opened.push(redis);
    const store = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.keyPrefix };
    // API A takes the request, a separate worker runs it, API B and C only read.
    const live = await startTestStack({ ...store, ROLE: 'api' });
    opened.push(live);
    live.sources.set('c1.xml', '<c1/>');
    await live.startAnother({ ...store, ROLE: 'worker' });
    const apiB = await live.startAnother({ ...store, ROLE: 'api' });

    const accepted = await distribute(live.url, live, 'shared');
    expect(accepted.status).toBe(200);
    const id = jobIdOf(await accepted.text());
    const urlB = apiB.url ?? '';
    await waitFor(async () => (await jobStatus(urlB, id)) === 'FINISHED', 20_000, 'FINISHED');
    expect((await fetch(`${urlB}/jobs/${id}`)).headers.get('Content-Type')).toContain('xml');

    // Every API process gone; a new one still knows the job.
    await apiB.close();
    await live.service.close();
    const apiC = await live.startAnother({ ...store, ROLE: 'api' });
    expect(await jobStatus(apiC.url ?? '', id)).toBe('FINISHED');
    const ttl = (await redis.keys()).get(`${redis.keyPrefix}job:${id}`);
    expect(ttl).toBeGreaterThan(0);
  }, 60_000);

  it('answers 503 JOB_STORE_UNAVAILABLE while Redis is away, and recovers', async () => {
    const redis = await startTestRedis();
    opened.push(redis);
    const proxy: FaultProxy = await startFaultProxy(redis.url);
    opened.push(proxy);
    const broker = await startTestBroker();
    const live = await startTestStack(
      { REDIS_URL: proxy.url, REDIS_KEY_PREFIX: redis.keyPrefix },
      broker,
    );
    opened.push(live);
    live.sources.set('c1.xml', '<c1/>');
    const before = await distribute(live.url, live, 'outage');
    expect(before.status).toBe(200);
    const id = jobIdOf(await before.text());
    await waitFor(async () => (await jobStatus(live.url, id)) === 'FINISHED', 20_000);

    proxy.setAccepting(false);
    proxy.dropConnections();
    const refused = await distribute(live.url, live, 'outage');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('Retry-After')).toBe('10');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'JOB_STORE_UNAVAILABLE',
    );
    expect(await jobStatus(live.url, id)).toBe(503);
    await waitFor(async () => (await fetch(`${live.url}/ready`)).status === 503, 10_000);
    expect((await fetch(`${live.url}/health`)).status).toBe(200);

    proxy.setAccepting(true);
    await waitFor(async () => (await fetch(`${live.url}/ready`)).status === 200, 20_000);
    expect(await jobStatus(live.url, id)).toBe('FINISHED');
    expect((await distribute(live.url, live, 'outage')).status).toBe(200);
  }, 60_000);
});
