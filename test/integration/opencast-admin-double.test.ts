/**
 * The Opencast admin-node double behaves as docs/opencast-cluster-protocol.md says, checked
 * against the double alone (no service), so tests of the cluster client can trust it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOpencastAdmin, type OpencastAdmin } from '../helpers/opencast-admin/admin.js';
import { rfc2069Header, readChallenge, md5 } from '../helpers/opencast-admin/digest.js';
import { startFakeProducer, type FakeProducer } from '../helpers/opencast-admin/fake-producer.js';
import { newNonce } from '../helpers/opencast-admin/nonces.js';
import { proxyDistribute, proxyRetract } from '../helpers/opencast-admin/proxy.js';
import {
  trustedForm,
  trustedRead,
  type Exchange,
} from '../helpers/opencast-admin/trusted-client.js';

const SYS = { user: 'opencast_system_account', password: 'CHANGE_ME' };
const TYPE = 'org.opencastproject.distribution.aws.s3';
const H = 'http://s3-distribution.example.org:8080';
const CTX = {
  'X-Opencast-Matterhorn-Organization': 'mh_default_org',
  'X-Opencast-Matterhorn-User': 'admin',
};

let oc: OpencastAdmin;
const cleanups: Array<() => Promise<void>> = [];

beforeEach(async () => {
  oc = await startOpencastAdmin({
    systemUser: SYS.user,
    systemPassword: SYS.password,
    users: {
      teacher: { password: 'pw', roles: ['ROLE_USER'] },
      plainadmin: { password: 'pw', roles: ['ROLE_ADMIN'] },
    },
  });
});

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
  await oc.close();
});

const post = (
  path: string,
  fields: Array<[string, string]>,
  headers: Record<string, string> = {},
) => trustedForm('POST', oc.url + path, fields, headers, SYS);
const get = (path: string) => trustedRead('GET', oc.url + path, SYS);

async function registerHost(host = H): Promise<void> {
  const fields: Array<[string, string]> = [
    ['host', host],
    ['address', '127.0.0.1'],
    ['nodeName', 's3'],
    ['memory', '1024'],
    ['cores', '2'],
    ['maxLoad', '2'],
  ];
  expect((await post('/services/registerhost', fields)).status).toBe(204);
}

async function registerService(host = H): Promise<Exchange> {
  return post('/services/register', [
    ['serviceType', TYPE],
    ['path', '/distribution/s3'],
    ['host', host],
    ['jobProducer', 'true'],
  ]);
}

async function createJob(
  start: string,
  headers: Record<string, string> = CTX,
  host = H,
): Promise<Exchange> {
  return post(
    '/services/job',
    [
      ['jobType', TYPE],
      ['host', host],
      ['operation', 'Distribute'],
      ['arg', 'engage-player'],
      ['arg', '<mediapackage id="mp"/>'],
      ['arg', '["a"]'],
      ['arg', 'true'],
      ['jobLoad', '0.1'],
      ['start', start],
    ],
    headers,
  );
}

const idOf = (xml: string) => Number(/<job id="(\d+)"/.exec(xml)?.[1]);

async function putJob(id: number, edit: (xml: string) => string): Promise<Exchange> {
  const current = await get(`/services/job/${id}.xml`);
  return trustedForm(
    'PUT',
    `${oc.url}/services/job/${id}.xml`,
    [['job', edit(current.body)]],
    {},
    SYS,
  );
}
const setStatus = (s: string) => (xml: string) => xml.replace(/status="[A-Z]+"/, `status="${s}"`);

describe('Digest security', () => {
  it('challenges Opencast clients, redirects browsers and rejects wrong answers', async () => {
    const probe = await fetch(`${oc.url}/services/hosts.xml`, {
      headers: { 'X-Requested-Auth': 'Digest' },
    });
    expect(probe.status).toBe(401);
    const header = probe.headers.get('WWW-Authenticate') ?? '';
    expect(header).toMatch(/^Digest realm="Opencast", qop="auth", nonce="[^"]+"/);
    const browser = await fetch(`${oc.url}/services/hosts.xml`, { redirect: 'manual' });
    expect(browser.status).toBe(302);
    const challenge = readChallenge(header);
    if (challenge === undefined) throw new Error('no challenge');
    const url = `${oc.url}/services/hosts.xml`;
    const wrong = rfc2069Header('GET', url, SYS.user, 'nope', challenge);
    const forged = rfc2069Header('GET', url, SYS.user, SYS.password, {
      ...challenge,
      nonce: 'Zm9vOmJhcg==',
    });
    const right = rfc2069Header('GET', url, SYS.user, SYS.password, challenge);
    const send = (authorization: string) =>
      fetch(url, { headers: { Authorization: authorization } });
    expect((await send(wrong)).status).toBe(401);
    expect((await send(forged)).status).toBe(401);
    expect((await send(right)).status).toBe(200);
  });

  it('answers an expired nonce with a fresh challenge marked stale', async () => {
    const url = `${oc.url}/services/hosts.xml`;
    const old = { realm: 'Opencast', nonce: newNonce(-1) };
    const res = await fetch(url, {
      headers: { Authorization: rfc2069Header('GET', url, SYS.user, SYS.password, old) },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toMatch(/stale=true$/);
  });

  it('accepts qop=auth answers (HEAD/GET) and RFC 2069 answers (POST)', async () => {
    expect((await get('/services/hosts.xml')).status).toBe(200);
    expect(
      (
        await post('/services/maintenance', [
          ['host', H],
          ['maintenance', 'true'],
        ])
      ).status,
    ).toBe(404);
    expect(oc.tables.calls.filter((c) => c.user === SYS.user).map((c) => c.status)).toEqual([
      200, 404,
    ]);
  });

  it('refuses users without ROLE_ADMIN and user switching without ROLE_SUDO with 403', async () => {
    const teacher = await trustedRead('GET', `${oc.url}/services/hosts.xml`, {
      user: 'teacher',
      password: 'pw',
    });
    expect(teacher.status).toBe(403);
    const admin = { user: 'plainadmin', password: 'pw' };
    expect((await trustedRead('GET', `${oc.url}/services/hosts.xml`, admin)).status).toBe(200);
    const switching = await trustedForm(
      'POST',
      `${oc.url}/services/job`,
      [['jobType', TYPE]],
      CTX,
      admin,
    );
    expect(switching.status).toBe(403);
  });
});

describe('host and service registration', () => {
  it('registers the host (204), then the service (200 JaxbServiceRegistration)', async () => {
    expect((await registerService()).status).toBe(500);
    await registerHost();
    expect(
      (await get(`/services/services.xml?serviceType=${TYPE}&host=${encodeURIComponent(H)}`))
        .status,
    ).toBe(404);
    const reg = await registerService();
    expect(reg.status).toBe(200);
    expect(reg.body).toContain(
      `<service xmlns="http://serviceregistry.opencastproject.org"><type>${TYPE}</type><host>${H}</host>` +
        '<path>/distribution/s3</path><active>true</active><online>true</online><maintenance>false</maintenance>' +
        '<jobproducer>true</jobproducer><onlinefrom>',
    );
    expect(reg.body).toContain('<service_state>NORMAL</service_state>');
    const list = await get(
      `/services/services.xml?serviceType=${TYPE}&host=${encodeURIComponent(H)}`,
    );
    expect(list.status).toBe(200);
    expect(list.body).toMatch(
      /^<\?xml[^>]*\?><services xmlns="http:\/\/serviceregistry\.opencastproject\.org"><service><type>/,
    );
    const hosts = await get('/services/hosts.xml');
    expect(hosts.body).toContain(
      `<host><base_url>${H}</base_url><address>127.0.0.1</address><node_name>s3</node_name><memory>1024</memory>` +
        '<cores>2</cores><max_load>2</max_load><online>true</online><active>true</active><maintenance>false</maintenance></host>',
    );
  });

  it('switches maintenance (204, 404 for unknown hosts) and unregisters (204, offline)', async () => {
    await registerHost();
    await registerService();
    expect(
      (
        await post('/services/maintenance', [
          ['host', H],
          ['maintenance', 'true'],
        ])
      ).status,
    ).toBe(204);
    expect(oc.tables.hosts.get(H)?.maintenance).toBe(true);
    expect(oc.tables.registration(TYPE, H)?.maintenance).toBe(true);
    expect(
      (
        await post('/services/maintenance', [
          ['host', 'http://x'],
          ['maintenance', 'true'],
        ])
      ).status,
    ).toBe(404);
    expect(
      (
        await post('/services/unregister', [
          ['serviceType', TYPE],
          ['host', H],
        ])
      ).status,
    ).toBe(204);
    expect(oc.tables.registration(TYPE, H)?.online).toBe(false);
  });

  it('registering a service again cleans its running jobs: RESTART if dispatchable, FAILED if not', async () => {
    await registerHost();
    await registerService();
    const queued = idOf((await createJob('true')).body);
    const instantiated = idOf((await createJob('false')).body);
    expect(
      (
        await putJob(queued, (x) =>
          setStatus('RUNNING')(x).replace(
            '<dispatchable>',
            `<processingHost>${H}</processingHost><dispatchable>`,
          ),
        )
      ).status,
    ).toBe(204);
    expect((await putJob(instantiated, setStatus('RUNNING'))).status).toBe(204);
    expect((await registerService()).status).toBe(200);
    expect(oc.tables.jobs.get(queued)).toMatchObject({
      status: 'RESTART',
      processingHost: undefined,
    });
    expect(oc.tables.jobs.get(instantiated)?.status).toBe('FAILED');
  });
});

describe('jobs', () => {
  beforeEach(async () => {
    await registerHost();
    await registerService();
  });

  it('creates a QUEUED dispatchable job for start=true (201, Location, wire-spec XML)', async () => {
    const res = await createJob('true');
    expect(res.status).toBe(201);
    const id = idOf(res.body);
    expect(res.headers.get('Location')).toBe(`${oc.url}/services/job/${id}.xml`);
    expect(res.body).toBe(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        `<job id="${id}" version="1" type="${TYPE}" status="QUEUED" xmlns="http://job.opencastproject.org" xmlns:ns2="http://serviceregistry.opencastproject.org">` +
        `<creator>admin</creator><organization>mh_default_org</organization><url>${oc.url}/services/job/${id}.xml</url>` +
        '<operation>Distribute</operation><args><arg>engage-player</arg><arg>&lt;mediapackage id="mp"/&gt;</arg>' +
        `<arg>["a"]</arg><arg>true</arg></args><createdHost>${H}</createdHost>` +
        `<dateCreated>${oc.tables.jobs.get(id)?.dateCreated?.toISOString() ?? ''}</dateCreated>` +
        '<queueTime>0</queueTime><runTime>0</runTime><dispatchable>true</dispatchable><jobLoad>0.1</jobLoad></job>',
    );
    expect((await createJob('')).body).toContain('status="QUEUED"');
  });

  it('creates an INSTANTIATED job processed by the host for start=false', async () => {
    const id = idOf((await createJob('false')).body);
    expect(oc.tables.jobs.get(id)).toMatchObject({
      status: 'INSTANTIATED',
      dispatchable: false,
      processingHost: H,
    });
  });

  it('answers 400 for a blank operation, 500 without registration or with an unknown current job', async () => {
    const blank = await post('/services/job', [
      ['jobType', TYPE],
      ['host', H],
      ['operation', ' '],
    ]);
    expect(blank.status).toBe(400);
    expect((await createJob('true', CTX, 'http://unregistered:1')).status).toBe(500);
    expect(
      (await createJob('true', { ...CTX, 'X-Opencast-Matterhorn-Current-Job-Id': '999999' }))
        .status,
    ).toBe(500);
  });

  it('takes the current job as parent and its root as root', async () => {
    const root = idOf((await createJob('true')).body);
    const parent = idOf(
      (await createJob('true', { ...CTX, 'X-Opencast-Matterhorn-Current-Job-Id': String(root) }))
        .body,
    );
    const child = idOf(
      (await createJob('true', { ...CTX, 'X-Opencast-Matterhorn-Current-Job-Id': String(parent) }))
        .body,
    );
    expect(oc.tables.jobs.get(child)).toMatchObject({ parentJobId: parent, rootJobId: root });
  });

  it('GETs jobs (200/404) and updates them with optimistic locking (204, stale version 500)', async () => {
    const id = idOf((await createJob('true')).body);
    expect((await get(`/services/job/${id + 1000}.xml`)).status).toBe(404);
    const before = (await get(`/services/job/${id}.xml`)).body;
    const running = setStatus('RUNNING')(before);
    const put = (xml: string) =>
      trustedForm('PUT', `${oc.url}/services/job/${id}.xml`, [['job', xml]], {}, SYS);
    expect((await put(running)).status).toBe(204);
    expect(oc.tables.jobs.get(id)).toMatchObject({ status: 'RUNNING', version: 2 });
    expect(oc.tables.jobs.get(id)?.dateStarted).toBeInstanceOf(Date);
    expect((await put(running)).status).toBe(500);
    const payload = '<track id="t"/>###<catalog id="c"/>';
    const done = await putJob(id, (x) =>
      setStatus('FINISHED')(x).replace(
        '<dispatchable>',
        `<payload>${payload.replace(/</g, '&lt;').replace(/>/g, '&gt;')}</payload><dispatchable>`,
      ),
    );
    expect(done.status).toBe(204);
    expect(oc.tables.jobs.get(id)).toMatchObject({ status: 'FINISHED', version: 3, payload });
    expect(oc.tables.jobs.get(id)?.dateCompleted).toBeInstanceOf(Date);
    expect(oc.tables.jobs.get(id)?.args).toHaveLength(4);
  });

  it('keeps the processor only when it names a registration of the job type', async () => {
    const id = idOf((await createJob('true')).body);
    const withHost = (h: string) => (x: string) =>
      x.replace('<dispatchable>', `<processingHost>${h}</processingHost><dispatchable>`);
    expect((await putJob(id, withHost('http://elsewhere:1'))).status).toBe(204);
    expect(oc.tables.jobs.get(id)?.processingHost).toBeUndefined();
    expect((await putJob(id, withHost(H))).status).toBe(204);
    expect(oc.tables.jobs.get(id)?.processingHost).toBe(H);
  });

  it('moves the registration to WARNING on a FAILED job; sanitize brings it back', async () => {
    const id = idOf((await createJob('false')).body);
    expect((await putJob(id, setStatus('FAILED'))).status).toBe(204);
    expect(oc.tables.registration(TYPE, H)?.serviceState).toBe('WARNING');
    expect(
      (
        await post('/services/sanitize', [
          ['serviceType', TYPE],
          ['host', H],
        ])
      ).status,
    ).toBe(204);
    expect(oc.tables.registration(TYPE, H)?.serviceState).toBe('NORMAL');
  });

  it('ignores children outside the job namespace, wiping args as JobParser would', async () => {
    const id = idOf((await createJob('true')).body);
    expect(
      (await putJob(id, (x) => x.replace(' xmlns="http://job.opencastproject.org"', ''))).status,
    ).toBe(204);
    expect(oc.tables.jobs.get(id)).toMatchObject({
      args: undefined,
      operation: undefined,
      version: 2,
    });
  });
});

async function producer(): Promise<FakeProducer> {
  const p = await startFakeProducer();
  cleanups.push(() => p.close());
  await registerHost(p.host);
  expect((await registerService(p.host)).status).toBe(200);
  return p;
}

describe('heartbeat', () => {
  it('HEADs {host}{path}/dispatch with a qop=auth digest and keeps a healthy service online', async () => {
    const p = await producer();
    await oc.heartbeatNow();
    const heads = p.requests.filter((r) => r.method === 'HEAD');
    expect(heads.map((r) => r.url)).toEqual([
      '/distribution/s3/dispatch',
      '/distribution/s3/dispatch',
    ]);
    expect(heads[1]?.headers.authorization).toMatch(/qop=auth, nc=00000001, cnonce="[0-9a-f]+"/);
    expect(heads[1]?.headers.authorization).toContain('uri="/distribution/s3/dispatch"');
    expect(oc.tables.registration(TYPE, p.host)?.online).toBe(true);
  });

  it('unregisters on the second consecutive failure and restarts its running jobs', async () => {
    const p = await producer();
    const id = idOf((await createJob('true', CTX, p.host)).body);
    await putJob(id, (x) =>
      setStatus('RUNNING')(x).replace(
        '<dispatchable>',
        `<processingHost>${p.host}</processingHost><dispatchable>`,
      ),
    );
    p.answers.head = 500;
    await oc.heartbeatNow();
    expect(oc.tables.registration(TYPE, p.host)?.online).toBe(true);
    await oc.heartbeatNow();
    expect(oc.tables.registration(TYPE, p.host)?.online).toBe(false);
    expect(oc.tables.jobs.get(id)?.status).toBe('RESTART');
  });

  it('forgives a single failure followed by a success, and skips services in maintenance', async () => {
    const p = await producer();
    p.answers.head = 503;
    await oc.heartbeatNow();
    p.answers.head = 200;
    await oc.heartbeatNow();
    p.answers.head = 503;
    await oc.heartbeatNow();
    expect(oc.tables.registration(TYPE, p.host)?.online).toBe(true);
    await post('/services/maintenance', [
      ['host', p.host],
      ['maintenance', 'true'],
    ]);
    const count = p.requests.length;
    await oc.heartbeatNow();
    expect(p.requests.length).toBe(count);
  });
  it('probes on its own interval when one is given', async () => {
    await oc.close();
    oc = await startOpencastAdmin({
      systemUser: SYS.user,
      systemPassword: SYS.password,
      heartbeatIntervalMs: 20,
    });
    const p = await producer();
    p.answers.head = 500;
    await expect.poll(() => oc.tables.registration(TYPE, p.host)?.online).toBe(false);
  });
});

describe('dispatcher', () => {
  it('offers QUEUED jobs with POST {host}{path}/dispatch as JobDispatcher does; 204 accepts', async () => {
    const p = await producer();
    const id = idOf((await createJob('true', CTX, p.host)).body);
    const seen: unknown[] = [];
    p.onRequest = () => seen.push({ ...oc.tables.jobs.get(id) });
    await oc.dispatchNow();
    // DISPATCHING with the processor is persisted before the producer is called.
    expect(seen).toEqual([
      expect.objectContaining({ status: 'DISPATCHING', processingHost: p.host, version: 2 }),
    ]);
    const posts = p.requests.filter((r) => r.method === 'POST');
    expect(posts[0]).toMatchObject({ url: '/distribution/s3/dispatch', body: '' });
    expect(posts[0]?.headers.authorization).toBeUndefined();
    expect(posts[1]?.body).toBe(`id=${id}&operation=Distribute`);
    expect(posts[1]?.headers).toMatchObject({
      'x-opencast-matterhorn-organization': 'mh_default_org',
      'x-opencast-matterhorn-user': 'admin',
      'x-opencast-matterhorn-current-job-id': String(id),
    });
    const auth = posts[1]?.headers.authorization;
    expect(auth).toContain(`uri="${p.host}/distribution/s3/dispatch"`);
    expect(auth).not.toContain('qop');
    expect(oc.tables.jobs.get(id)).toMatchObject({ status: 'DISPATCHING', processingHost: p.host });
  });

  it('tries the next service on 503 and re-queues when nobody accepts', async () => {
    const busy = await producer();
    busy.answers.post = 503;
    const id = idOf((await createJob('true', CTX, busy.host)).body);
    await oc.dispatchNow();
    expect(oc.tables.jobs.get(id)).toMatchObject({ status: 'QUEUED', processingHost: undefined });
    const idle = await producer();
    await oc.dispatchNow();
    expect(oc.tables.jobs.get(id)).toMatchObject({
      status: 'DISPATCHING',
      processingHost: idle.host,
    });
    expect(busy.requests.filter((r) => r.method === 'POST' && r.body !== '')).toHaveLength(2);
  });

  it('fails the job on 412 and leaves start=false jobs alone', async () => {
    const p = await producer();
    p.answers.post = 412;
    const id = idOf((await createJob('true', CTX, p.host)).body);
    const manual = idOf((await createJob('false', CTX, p.host)).body);
    await oc.dispatchNow();
    expect(oc.tables.jobs.get(id)?.status).toBe('FAILED');
    expect(oc.tables.jobs.get(manual)?.status).toBe('INSTANTIATED');
    expect(p.requests.filter((r) => r.body.startsWith(`id=${manual}`))).toHaveLength(0);
  });

  it('skips registrations in ERROR, in maintenance or offline', async () => {
    const p = await producer();
    const id = idOf((await createJob('true', CTX, p.host)).body);
    const reg = oc.tables.registration(TYPE, p.host);
    if (reg === undefined) throw new Error('not registered');
    for (const arrange of [
      () => (reg.serviceState = 'ERROR'),
      () => ((reg.serviceState = 'NORMAL'), (reg.maintenance = true)),
      () => ((reg.maintenance = false), (reg.online = false)),
    ]) {
      arrange();
      await oc.dispatchNow();
      expect(oc.tables.jobs.get(id)?.status).toBe('QUEUED');
    }
    expect(p.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('runs on its own interval when one is given', async () => {
    await oc.close();
    oc = await startOpencastAdmin({
      systemUser: SYS.user,
      systemPassword: SYS.password,
      dispatchIntervalMs: 50,
    });
    const p = await producer();
    const id = idOf((await createJob('true', CTX, p.host)).body);
    await expect.poll(() => oc.tables.jobs.get(id)?.status).toBe('DISPATCHING');
  });
});

describe('JobBarrier', () => {
  it('rejects on CANCELLED', async () => {
    await registerHost();
    await registerService();
    const id = idOf((await createJob('true')).body);
    const job = oc.tables.jobs.get(id);
    if (job !== undefined) job.status = 'CANCELLED';
    await expect(oc.waitForJob(id, { intervalMs: 10 })).rejects.toThrow(/cancelled/);
  });

  it('counts an unknown job as DELETED', async () => {
    expect(await oc.waitForJob(424242, { intervalMs: 10 })).toEqual({
      status: 'DELETED',
      payload: undefined,
    });
  });

  it('resolves with status and payload once the job is FINISHED', async () => {
    await registerHost();
    await registerService();
    const id = idOf((await createJob('true')).body);
    const waiting = oc.waitForJob(id, { intervalMs: 10 });
    await putJob(id, (x) =>
      setStatus('FINISHED')(x).replace(
        '<dispatchable>',
        '<payload>&lt;track/&gt;</payload><dispatchable>',
      ),
    );
    expect(await waiting).toEqual({ status: 'FINISHED', payload: '<track/>' });
  });
});

describe('incidents', () => {
  it('records POST /incidents/ (201)', async () => {
    const res = await post('/incidents/', [
      ['job', '<job id="1"/>'],
      ['date', '2026-12-05T05:00:00Z'],
      ['code', 'org.opencastproject.system.unhandled-exception'],
      ['severity', 'FAILURE'],
      ['details', '[{"title":"t","content":"c"}]'],
    ]);
    expect(res.status).toBe(201);
    expect(oc.tables.incidents).toEqual([
      {
        jobXml: '<job id="1"/>',
        date: '2026-12-05T05:00:00Z',
        code: 'org.opencastproject.system.unhandled-exception',
        severity: 'FAILURE',
        details: '[{"title":"t","content":"c"}]',
      },
    ]);
  });
});

describe("the remote proxy's request shape", () => {
  const call = {
    channelId: 'engage-player',
    mediapackageXml: '<mediapackage id="mp"/>',
    elementIds: ['a', 'b<'],
    organization: 'mh_default_org',
    user: 'admin',
    currentJobId: 77,
    digestUser: SYS.user,
    digestPassword: SYS.password,
  };

  it('distributes with a probe, then an RFC 2069 digest over the absolute URL', async () => {
    const p = await startFakeProducer();
    cleanups.push(() => p.close());
    const res = await proxyDistribute(`${p.host}/distribution/s3`, {
      ...call,
      checkAvailability: false,
    });
    expect(res.status).toBe(204);
    const [probe, real] = p.requests;
    expect(probe).toMatchObject({ method: 'POST', url: '/distribution/s3', body: '' });
    expect(Object.keys(probe?.headers ?? {}).filter((h) => h.startsWith('x-'))).toEqual([
      'x-requested-auth',
    ]);
    expect(real?.body).toBe(
      'channelId=engage-player&mediapackage=%3Cmediapackage+id%3D%22mp%22%2F%3E' +
        '&elementId=%5B%22a%22%2C%22b%5Cu003c%22%5D&checkAvailability=false',
    );
    expect(real?.headers).toMatchObject({
      'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
      'x-opencast-matterhorn-current-job-id': '77',
    });
    const expected = md5(
      `${md5(`${SYS.user}:Opencast:${SYS.password}`)}:producer-nonce:${md5(`POST:${p.host}/distribution/s3`)}`,
    );
    expect(real?.headers.authorization).toContain(`response="${expected}"`);
  });

  it('retracts to {service}/retract with the fields in the proxy order', async () => {
    const p = await startFakeProducer();
    cleanups.push(() => p.close());
    await proxyRetract(`${p.host}/distribution/s3`, call);
    expect(p.requests[1]?.url).toBe('/distribution/s3/retract');
    expect([...new URLSearchParams(p.requests[1]?.body).keys()]).toEqual([
      'mediapackage',
      'elementId',
      'channelId',
    ]);
  });
});

describe('fault control', () => {
  it('fails the next N calls of a route, then answers normally', async () => {
    await registerHost();
    oc.faults.failNext('GET /services/hosts.xml', 2, { status: 503 });
    expect((await get('/services/hosts.xml')).status).toBe(503);
    expect((await get('/services/hosts.xml')).status).toBe(503);
    expect((await get('/services/hosts.xml')).status).toBe(200);
  });

  it('holds a hanging call until released', async () => {
    await registerHost();
    await registerService();
    oc.faults.failNext('PUT /services/job/{id}.xml', 1, 'hang');
    const id = idOf((await createJob('true')).body);
    let settled = false;
    const pending = putJob(id, setStatus('RUNNING')).then((r) => {
      settled = true;
      return r;
    });
    await expect.poll(() => oc.faults.hanging).toBe(1);
    expect(settled).toBe(false);
    oc.faults.releaseHangs();
    expect((await pending).status).toBe(503);
    expect(oc.tables.jobs.get(id)?.status).toBe('QUEUED');
  });

  it('stops and restarts the listener on the same port, keeping or wiping the tables', async () => {
    await registerHost();
    const url = oc.url;
    await oc.stop();
    await expect(fetch(`${url}/services/hosts.xml`)).rejects.toThrow();
    await oc.start();
    expect(oc.url).toBe(url);
    expect((await get('/services/hosts.xml')).body).toContain(H);
    await oc.stop();
    await oc.start({ wipe: true });
    expect((await get('/services/hosts.xml')).body).not.toContain(H);
  });
});
