/**
 * Opencast mode while the broker is away: the heartbeat and dispatch say 503 (Opencast tries
 * another node), a job whose command could not be published goes back to the dispatcher
 * instead of staying RUNNING, and once the broker is back the job completes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_TYPE } from '../../../src/jobs/job-service.js';
import { parseJob } from '../../../src/opencast/job-xml.js';
import { RegistryClient } from '../../../src/opencast-cluster/registry-client.js';
import { freePort } from '../../helpers/free-port.js';
import { startOpencastAdmin, type OpencastAdmin } from '../../helpers/opencast-admin/admin.js';
import { proxyDistribute } from '../../helpers/opencast-admin/proxy.js';
import { trustedPost } from '../../helpers/opencast-admin/trusted-client.js';
import { startFaultProxy, startTestBroker, type FaultProxy } from '../../helpers/rabbit.js';
import { startTestStack, type TestStack } from '../../helpers/service.js';
import { waitFor } from '../../helpers/wait-for.js';

const SYSTEM = { user: 'opencast_system_account', password: 'CHANGE_ME' };

let admin: OpencastAdmin | undefined;
let stack: TestStack | undefined;
let proxy: FaultProxy | undefined;
let host = '';

beforeAll(async () => {
  admin = await startOpencastAdmin({ systemUser: SYSTEM.user, systemPassword: SYSTEM.password });
  const broker = await startTestBroker();
  proxy = await startFaultProxy(broker.url);
  const port = await freePort();
  host = `http://127.0.0.1:${port}`;
  stack = await startTestStack(
    {
      AMQP_URL: proxy.url,
      HTTP_PORT: String(port),
      OPENCAST_URL: admin.url,
      OPENCAST_USER: SYSTEM.user,
      OPENCAST_PASSWORD: SYSTEM.password,
      OPENCAST_HOST_URL: host,
      OPENCAST_DISPATCH: 'immediate',
      AUTH_DIGEST_USER: SYSTEM.user,
      AUTH_DIGEST_PASSWORD: SYSTEM.password,
    },
    broker,
  );
  stack.sources.set('c1.xml', '<c1/>');
  const client = new RegistryClient({
    baseUrl: admin.url,
    username: SYSTEM.user,
    password: SYSTEM.password,
    host,
  });
  await client.registerHost({
    address: '127.0.0.1',
    nodeName: 't',
    memory: 1,
    cores: 1,
    maxLoad: 2,
  });
  await client.registerService(JOB_TYPE, '/distribution/s3');
}, 60_000);

afterAll(async () => {
  await stack?.close();
  await proxy?.close();
  await admin?.close();
});

const heartbeat = async () =>
  (await fetch(`${host}/distribution/s3/dispatch`, { method: 'HEAD' })).status;

describe('Opencast mode during a broker outage', () => {
  it('answers 503 to heartbeat and dispatch, gives the job back, and completes it later', async () => {
    if (admin === undefined || proxy === undefined || stack === undefined) throw new Error('setup');
    const oc = admin;
    expect(await heartbeat()).toBe(200);

    proxy.setAccepting(false);
    proxy.dropConnections();
    await waitFor(async () => (await heartbeat()) === 503, 10_000, 'heartbeat 503');

    const mediapackageXml =
      '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="outage-mp"><metadata>' +
      `<catalog id="c1" type="dublincore/episode"><mimetype>text/xml</mimetype>` +
      `<url>${stack.sources.baseUrl}c1.xml</url></catalog></metadata></mediapackage>`;
    const res = await proxyDistribute(`${host}/distribution/s3`, {
      channelId: 'outage',
      mediapackageXml,
      elementIds: ['c1'],
      organization: 'mh_default_org',
      checkAvailability: false,
      digestUser: SYSTEM.user,
      digestPassword: SYSTEM.password,
    });
    // The command could not be published: the job is the dispatcher's, not a RUNNING orphan.
    expect(res.status).toBe(200);
    const id = Number(parseJob(res.body).id);
    expect(oc.tables.jobs.get(id)).toMatchObject({ status: 'QUEUED', dispatchable: true });

    const dispatch = await trustedPost(
      `${host}/distribution/s3/dispatch`,
      [
        ['id', String(id)],
        ['operation', 'Distribute'],
      ],
      {},
      SYSTEM,
    );
    expect(dispatch.status).toBe(503);
    expect(oc.tables.jobs.get(id)?.status).toBe('QUEUED');

    proxy.setAccepting(true);
    await waitFor(async () => (await heartbeat()) === 200, 30_000, 'heartbeat 200');
    await oc.dispatchNow();
    const result = await oc.waitForJob(id, { intervalMs: 50 });
    expect(result.status).toBe('FINISHED');
    expect(result.payload).toContain('outage-mp');
  }, 90_000);
});
