import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asFinished, asRunning } from '../../../src/opencast-cluster/job-status.js';
import { RegistryClient } from '../../../src/opencast-cluster/registry-client.js';
import { parseJob } from '../../../src/opencast/job-xml.js';
import { startFakeRegistry, type FakeRegistry } from './fake-registry.js';

const H = 'https://s3dist.example.org';
const TYPE = 'org.opencastproject.distribution.aws.s3';
const MP = '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="mp-1"/>';
const ARGS = ['engage-player', MP, '["track-1"]', 'true'];

let registry: FakeRegistry;
let client: RegistryClient;

beforeEach(async () => {
  registry = await startFakeRegistry();
  client = new RegistryClient({
    baseUrl: registry.address,
    username: registry.user,
    password: registry.password,
    host: H,
    update: { attempts: 3, backoffMs: 1 },
  });
  await client.registerHost({
    address: '10.0.0.5',
    nodeName: 's3',
    memory: 1,
    cores: 1,
    maxLoad: 1,
  });
});
afterEach(() => registry.close());

/** Requests to `path` (query left out) that reached the handlers, Digest probes left out. */
const handled = (method: string, path: string) =>
  registry.seen.filter(
    (r) => r.auth === 'ok' && r.method === method && r.url.split('?')[0] === path,
  );

async function newJob(): Promise<string> {
  await client.registerService(TYPE, '/distribution/s3');
  const job = await client.createJob({
    jobType: TYPE,
    operation: 'Distribute',
    args: ARGS,
    jobLoad: 0.1,
    start: true,
  });
  return job.id;
}

describe('service registration', () => {
  it('reads a missing registration as undefined, then registers and reads it', async () => {
    expect(await client.getServiceRegistration(TYPE)).toBeUndefined();
    const registered = await client.registerService(TYPE, '/distribution/s3');
    expect(registered).toMatchObject({
      type: TYPE,
      host: H,
      path: '/distribution/s3',
      online: true,
    });
    expect(handled('POST', '/services/register')[0]?.form.get('jobProducer')).toBe('true');
    await client.setMaintenance(true);
    expect(await client.getServiceRegistration(TYPE)).toMatchObject({
      online: true,
      maintenance: true,
    });
    await client.unregisterService(TYPE);
    expect(await client.getServiceRegistration(TYPE)).toMatchObject({ online: false });
  });

  it('refuses maxLoad 0 before calling, since Opencast would never dispatch to the host', async () => {
    const calls = registry.seen.length;
    await expect(
      client.registerHost({ address: 'a', nodeName: 'n', memory: 1, cores: 1, maxLoad: 0 }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(registry.seen).toHaveLength(calls);
  });
});

describe('createJob', () => {
  it('forwards the caller context headers and sends the form in Opencast order', async () => {
    await client.registerService(TYPE, '/distribution/s3');
    const parent = parseJob(
      `<job id="77" version="1" type="workflow" status="RUNNING" xmlns="http://job.opencastproject.org"><rootJobId>70</rootJobId><dispatchable>false</dispatchable></job>`,
    );
    registry.addJob(parent);
    const job = await client.createJob({
      jobType: TYPE,
      operation: 'Distribute',
      args: ARGS,
      jobLoad: 0.1,
      start: true,
      organization: 'org-b',
      user: 'editor',
      currentJobId: '77',
    });
    const [request] = handled('POST', '/services/job');
    expect(request?.headers['x-opencast-matterhorn-organization']).toBe('org-b');
    expect(request?.headers['x-opencast-matterhorn-user']).toBe('editor');
    expect(request?.headers['x-opencast-matterhorn-current-job-id']).toBe('77');
    expect([...request!.form.keys()]).toEqual([
      'jobType',
      'host',
      'operation',
      'arg',
      'arg',
      'arg',
      'arg',
      'jobLoad',
      'start',
    ]);
    expect(job).toMatchObject({
      status: 'QUEUED',
      organization: 'org-b',
      creator: 'editor',
      parentJobId: '77',
      rootJobId: '70',
      args: ARGS,
      dispatchable: true,
    });
  });

  it('sends no context headers it was not given', async () => {
    await newJob();
    const [request] = handled('POST', '/services/job');
    expect(Object.keys(request!.headers).filter((h) => h.startsWith('x-opencast'))).toEqual([]);
  });

  it('fails with a retryable error when the registry has no registration (500)', async () => {
    const create = client.createJob({
      jobType: TYPE,
      operation: 'Retract',
      args: [],
      jobLoad: 0.1,
      start: false,
    });
    await expect(create).rejects.toMatchObject({
      code: 'REGISTRY_UNAVAILABLE',
      retryable: true,
      status: 500,
    });
  });
});

describe('updateJob', () => {
  it('echoes args and writes RUNNING then FINISHED with the payload', async () => {
    const id = await newJob();
    expect(await client.updateJob(id, (job) => asRunning(job, H))).toMatchObject({
      outcome: 'updated',
    });
    const result = await client.updateJob(id, (job) => asFinished(job, 'a###b'));
    expect(result).toMatchObject({ outcome: 'updated', job: { status: 'FINISHED' } });
    expect(registry.jobs.get(id)).toMatchObject({
      status: 'FINISHED',
      payload: 'a###b',
      processingHost: H,
      args: ARGS,
      operation: 'Distribute',
      dispatchable: true,
      version: 3,
    });
  });

  it('reads the job again and retries after a version conflict', async () => {
    const id = await newJob();
    registry.conflictOnce(id);
    expect(await client.updateJob(id, (job) => asRunning(job, H))).toMatchObject({
      outcome: 'updated',
    });
    expect(handled('GET', `/services/job/${id}.xml`)).toHaveLength(2);
    const puts = handled('PUT', `/services/job/${id}.xml`);
    expect(puts.map((r) => parseJob(r.form.get('job')!).version)).toEqual([1, 2]);
    expect(registry.jobs.get(id)).toMatchObject({ status: 'RUNNING', version: 3, args: ARGS });
  });

  it('gives up with REGISTRY_CONFLICT after the configured attempts', async () => {
    const id = await newJob();
    registry.fail(`PUT /services/job/${id}.xml`, 500, 3);
    await expect(client.updateJob(id, (job) => asRunning(job, H))).rejects.toMatchObject({
      code: 'REGISTRY_CONFLICT',
      retryable: false,
    });
    expect(handled('PUT', `/services/job/${id}.xml`)).toHaveLength(3);
    expect(registry.jobs.get(id)?.status).toBe('QUEUED');
  });

  it("takes a job that is gone as final: 'missing', also when it vanishes before the PUT", async () => {
    expect(await client.updateJob('999', (job) => asRunning(job, H))).toEqual({
      outcome: 'missing',
    });
    const id = await newJob();
    registry.deleteOnPut(id);
    expect(await client.updateJob(id, (job) => asRunning(job, H))).toEqual({ outcome: 'missing' });
    expect(await client.getJob(id)).toBeUndefined();
  });

  it('leaves the job alone when the change returns undefined', async () => {
    const id = await newJob();
    expect(await client.updateJob(id, () => undefined)).toMatchObject({ outcome: 'skipped' });
    expect(handled('PUT', `/services/job/${id}.xml`)).toHaveLength(0);
  });

  it('does not retry a 503 itself; the error says it may pass', async () => {
    const id = await newJob();
    registry.fail(`GET /services/job/${id}.xml`, 503);
    await expect(client.updateJob(id, (job) => asRunning(job, H))).rejects.toMatchObject({
      code: 'REGISTRY_UNAVAILABLE',
      retryable: true,
      status: 503,
    });
    registry.fail(`PUT /services/job/${id}.xml`, 400);
    await expect(client.updateJob(id, (job) => asRunning(job, H))).rejects.toMatchObject({
      code: 'REGISTRY_REJECTED',
      retryable: false,
      status: 400,
    });
  });
});

describe('getJob and incidents', () => {
  it('returns the job with its XML', async () => {
    const id = await newJob();
    const stored = await client.getJob(id);
    expect(stored?.job).toMatchObject({ id, args: ARGS });
    expect(parseJob(stored!.xml)).toEqual(stored?.job);
  });

  it('records an unhandled-exception FAILURE incident with the job and the details', async () => {
    const id = await newJob();
    const job = (await client.getJob(id))!.job;
    await client.recordIncident(job, { title: 'Upload', content: 'S3 said "no"' });
    const [incident] = registry.incidents;
    expect(incident?.get('code')).toBe('org.opencastproject.system.unhandled-exception');
    expect(incident?.get('severity')).toBe('FAILURE');
    expect(incident?.get('date')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(JSON.parse(incident!.get('details')!)).toEqual([
      { title: 'Upload', content: 'S3 said "no"' },
    ]);
    expect(parseJob(incident!.get('job')!)).toEqual(job);
  });
});

describe('failures without an answer', () => {
  it('times out with a retryable error', async () => {
    const impatient = new RegistryClient({
      baseUrl: registry.address,
      username: registry.user,
      password: registry.password,
      host: H,
      timeoutMs: 100,
    });
    registry.hang('/services/hosts.xml');
    await expect(impatient.listHosts()).rejects.toMatchObject({
      code: 'REGISTRY_UNAVAILABLE',
      retryable: true,
      message: 'GET /services/hosts.xml timed out',
    });
  });

  it('reports a refused connection as retryable', async () => {
    const address = registry.address;
    await registry.close();
    const offline = new RegistryClient({ baseUrl: address, username: 'u', password: 'p', host: H });
    await expect(offline.listHosts()).rejects.toMatchObject({
      code: 'REGISTRY_UNAVAILABLE',
      retryable: true,
    });
    registry = await startFakeRegistry();
  });

  it('reports a redirect (a login page) as a terminal error instead of following it', async () => {
    const login = createServer((_req, res) => {
      res.writeHead(302, { Location: '/login.html' }).end();
    });
    await new Promise<void>((resolve) => login.listen(0, '127.0.0.1', resolve));
    const { port } = login.address() as AddressInfo;
    const redirected = new RegistryClient({
      baseUrl: `http://127.0.0.1:${port}`,
      username: 'u',
      password: 'p',
      host: H,
    });
    try {
      await expect(redirected.listHosts()).rejects.toMatchObject({
        code: 'REGISTRY_REJECTED',
        retryable: false,
        status: 302,
      });
    } finally {
      login.closeAllConnections();
      login.close();
    }
  });
});
