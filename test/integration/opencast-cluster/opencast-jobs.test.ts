/**
 * Opencast mode end to end (issue 7): the service against the admin-node double, the real
 * broker and s3rver. Async requests become registry jobs, the double's dispatcher hands
 * them over, workers report through the durable Opencast job queue, and the double's
 * JobBarrier sees FINISHED with the payload, or FAILED with an incident.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_TYPE } from '../../../src/jobs/job-service.js';
import { parseElementArray } from '../../../src/opencast/element-xml.js';
import { parseJob } from '../../../src/opencast/job-xml.js';
import { jobArguments } from '../../../src/opencast-cluster/job-arguments.js';
import { RegistryClient } from '../../../src/opencast-cluster/registry-client.js';
import type { RunningService } from '../../../src/service.js';
import { readFixture } from '../../helpers/fixtures.js';
import { freePort } from '../../helpers/free-port.js';
import { startOpencastAdmin, type OpencastAdmin } from '../../helpers/opencast-admin/admin.js';
import { proxyDistribute, proxyRetract } from '../../helpers/opencast-admin/proxy.js';
import { trustedPost } from '../../helpers/opencast-admin/trusted-client.js';
import type { Job } from '../../helpers/opencast-admin/types.js';
import { startTestStack, type TestStack } from '../../helpers/service.js';
import { waitFor } from '../../helpers/wait-for.js';

const SYSTEM = { user: 'opencast_system_account', password: 'CHANGE_ME' };
const EDITOR = { user: 'editor', password: 'editor-pw' };
const BARRIER = { intervalMs: 50 };

let admin: OpencastAdmin;
let stack: TestStack;
/** H of the main service (dispatch mode `opencast`). */
let host: string;
/** The second service, dispatch mode `immediate`, and its H. */
let immediate: RunningService;
let immediateHost: string;
/** The workflow operation job the proxy's requests come from. */
let operationJob: Job;

async function register(h: string): Promise<void> {
  const client = new RegistryClient({
    baseUrl: admin.url,
    username: SYSTEM.user,
    password: SYSTEM.password,
    host: h,
  });
  await client.registerHost({
    address: '127.0.0.1',
    nodeName: 'test',
    memory: 1,
    cores: 2,
    maxLoad: 4,
  });
  await client.registerService(JOB_TYPE, '/distribution/s3');
}

function mediapackage(): string {
  return readFixture('mediapackage.xml').replace(
    /<url>([^<:]+)<\/url>/g,
    (_m, path: string) => `<url>${stack.sources.baseUrl}${path}</url>`,
  );
}

const call = (extra: Partial<Parameters<typeof proxyDistribute>[1]> = {}) => ({
  channelId: 'engage-player',
  mediapackageXml: mediapackage(),
  elementIds: ['presenter-delivery', 'episode-dc'],
  organization: 'mh_default_org',
  user: 'admin',
  currentJobId: operationJob.id,
  digestUser: SYSTEM.user,
  digestPassword: SYSTEM.password,
  checkAvailability: false,
  ...extra,
});

/** A job as Opencast's registry would hold it for this service, arranged in the double. */
function arrangeJob(fields: Partial<Job>): Job {
  const { operation, args } = jobArguments({
    type: 'distribute',
    organization: 'mh_default_org',
    channelId: 'engage-player',
    mediapackage: mediapackage(),
    elementIds: ['episode-dc'],
    checkAvailability: false,
  });
  const job: Job = {
    id: admin.tables.nextJobId++,
    version: 1,
    type: JOB_TYPE,
    status: 'QUEUED',
    organization: 'mh_default_org',
    creator: 'admin',
    operation,
    args,
    queueTime: 0,
    runTime: 0,
    dispatchable: true,
    jobLoad: 0.1,
    ...fields,
  };
  admin.tables.jobs.set(job.id, job);
  return job;
}

beforeAll(async () => {
  admin = await startOpencastAdmin({
    systemUser: SYSTEM.user,
    systemPassword: SYSTEM.password,
  });
  const port = await freePort();
  host = `http://127.0.0.1:${port}`;
  const opencastEnv = {
    OPENCAST_URL: admin.url,
    OPENCAST_USER: SYSTEM.user,
    OPENCAST_PASSWORD: SYSTEM.password,
    AUTH_DIGEST_USER: SYSTEM.user,
    AUTH_DIGEST_PASSWORD: SYSTEM.password,
    AUTH_DIGEST_USERS: `${EDITOR.user}:${EDITOR.password}`,
  };
  stack = await startTestStack({
    ...opencastEnv,
    HTTP_PORT: String(port),
    OPENCAST_HOST_URL: host,
    OPENCAST_DISPATCH: 'opencast',
  });
  const immediatePort = await freePort();
  immediateHost = `http://127.0.0.1:${immediatePort}`;
  immediate = await stack.startAnother({
    ...opencastEnv,
    HTTP_PORT: String(immediatePort),
    OPENCAST_HOST_URL: immediateHost,
    OPENCAST_DISPATCH: 'immediate',
  });
  await register(host);
  await register(immediateHost);
  stack.sources.set('video-presenter-delivery.mp4', 'video bytes');
  stack.sources.set('episode-dublincore.xml', '<dublincore>episode</dublincore>');
  stack.sources.set('series-dublincore.xml', '<dublincore>series</dublincore>');
  operationJob = arrangeJob({
    type: 'org.opencastproject.workflow',
    status: 'RUNNING',
    operation: 'START_OPERATION',
    dispatchable: false,
  });
}, 60_000);

afterAll(async () => {
  await (stack as TestStack | undefined)?.close();
  await (admin as OpencastAdmin | undefined)?.close();
});

/** Only the main service takes dispatches, so tests know whose logs and queues matter. */
function onlyMainDispatchable(): void {
  const reg = admin.tables.registration(JOB_TYPE, immediateHost);
  if (reg !== undefined) reg.maintenance = true;
}

describe('async distribute through the dispatcher (OPENCAST_DISPATCH=opencast)', () => {
  it('answers with a QUEUED registry job that the dispatcher hands over and that FINISHES with the payload', async () => {
    onlyMainDispatchable();
    const res = await proxyDistribute(`${host}/distribution/s3`, call());
    expect(res.status).toBe(200);
    const answered = parseJob(res.body);
    const row = admin.tables.jobs.get(Number(answered.id));
    // The registry made the job: Opencast's parent, root, organization and creator.
    expect(row).toMatchObject({
      type: JOB_TYPE,
      status: 'QUEUED',
      dispatchable: true,
      operation: 'Distribute',
      parentJobId: operationJob.id,
      rootJobId: operationJob.id,
      organization: 'mh_default_org',
      creator: 'admin',
      createdHost: host,
      jobLoad: 0.1,
    });
    expect(row?.args?.[2]).toBe('["presenter-delivery","episode-dc"]');
    expect(row?.args?.[3]).toBe('false');
    expect(answered.status).toBe('QUEUED');

    await admin.dispatchNow();
    const result = await admin.waitForJob(Number(answered.id), BARRIER);
    expect(result.status).toBe('FINISHED');
    const elements = parseElementArray(result.payload ?? '');
    expect(elements.map((e) => e.id)).toEqual(['presenter-delivery', 'episode-dc']);
    expect(elements[0]?.url).toContain(`${stack.baseUrl}mh_default_org/engage-player/`);
    expect(admin.tables.jobs.get(Number(answered.id))?.processingHost).toBe(host);
    const dispatch = admin.tables.calls.find(
      (c) => c.method === 'PUT' && c.path === `/services/job/${answered.id}.xml`,
    );
    expect(dispatch?.status).toBe(204);
  }, 60_000);

  it('retracts through the dispatcher as well', async () => {
    onlyMainDispatchable();
    const res = await proxyRetract(`${host}/distribution/s3`, call());
    expect(res.status).toBe(200);
    const id = Number(parseJob(res.body).id);
    expect(admin.tables.jobs.get(id)?.operation).toBe('Retract');
    expect(admin.tables.jobs.get(id)?.args).toHaveLength(3);
    await admin.dispatchNow();
    const result = await admin.waitForJob(id, BARRIER);
    expect(result.status).toBe('FINISHED');
  }, 60_000);

  it('refuses a request that fails validation with 400 and creates no job', async () => {
    const before = admin.tables.jobs.size;
    const res = await proxyDistribute(`${host}/distribution/s3`, call({ elementIds: ['nope'] }));
    expect(res.status).toBe(400);
    expect(admin.tables.jobs.size).toBe(before);
  });
});

describe('async distribute at once (OPENCAST_DISPATCH=immediate)', () => {
  it('answers with a RUNNING job that FINISHES without a dispatcher round', async () => {
    const url = immediate.url ?? '';
    const res = await proxyDistribute(`${url}/distribution/s3`, call());
    expect(res.status).toBe(200);
    const answered = parseJob(res.body);
    expect(answered.status).toBe('RUNNING');
    expect(admin.tables.jobs.get(Number(answered.id))).toMatchObject({
      dispatchable: false,
      processingHost: immediateHost,
      parentJobId: operationJob.id,
    });
    const result = await admin.waitForJob(Number(answered.id), BARRIER);
    expect(result.status).toBe('FINISHED');
    expect(parseElementArray(result.payload ?? '')).toHaveLength(2);
  }, 60_000);
});

describe('dispatch', () => {
  it('runs a RESTART job to FINISHED', async () => {
    onlyMainDispatchable();
    const job = arrangeJob({ status: 'RESTART' });
    await admin.dispatchNow();
    const result = await admin.waitForJob(job.id, BARRIER);
    expect(result.status).toBe('FINISHED');
    expect(parseElementArray(result.payload ?? '').map((e) => e.id)).toEqual(['episode-dc']);
  }, 60_000);

  it('answers 412 for a job that can never run, so the dispatcher fails it', async () => {
    onlyMainDispatchable();
    const job = arrangeJob({ args: ['engage-player', '<not a mediapackage'] });
    await admin.dispatchNow();
    expect(admin.tables.jobs.get(job.id)?.status).toBe('FAILED');
    const other = arrangeJob({ type: 'org.opencastproject.composer' });
    const res = await trustedPost(
      `${host}/distribution/s3/dispatch`,
      [
        ['id', String(other.id)],
        ['operation', 'Distribute'],
      ],
      {},
      SYSTEM,
    );
    expect(res.status).toBe(412);
    expect(admin.tables.jobs.get(other.id)?.status).toBe('QUEUED');
  }, 60_000);

  it('answers the heartbeat with 200 without credentials', async () => {
    const res = await fetch(`${host}/distribution/s3/dispatch`, { method: 'HEAD' });
    expect(res.status).toBe(200);
  });
});

describe('failures', () => {
  it('reports a failed source as FAILED with an incident', async () => {
    onlyMainDispatchable();
    const xml = mediapackage().replace('episode-dublincore.xml', 'missing-dublincore.xml');
    const res = await proxyDistribute(
      `${host}/distribution/s3`,
      call({ mediapackageXml: xml, elementIds: ['episode-dc'] }),
    );
    expect(res.status).toBe(200);
    const id = Number(parseJob(res.body).id);
    await admin.dispatchNow();
    const result = await admin.waitForJob(id, BARRIER);
    expect(result.status).toBe('FAILED');
    await waitFor(
      () => admin.tables.incidents.some((i) => i.jobXml.includes(`id="${id}"`)),
      20_000,
      'the incident',
    );
    const incident = admin.tables.incidents.find((i) => i.jobXml.includes(`id="${id}"`));
    expect(incident?.severity).toBe('FAILURE');
    expect(incident?.details).toContain('SOURCE_NOT_FOUND');
  }, 60_000);

  it('delivers the final status after the registry was down during the update', async () => {
    onlyMainDispatchable();
    // The first read stalls until the source timeout; the retry gets the file.
    stack.sources.setStalledOnce('slow-dublincore.xml', '<dublincore>slow</dublincore>');
    const xml = mediapackage().replace('episode-dublincore.xml', 'slow-dublincore.xml');
    const res = await proxyDistribute(
      `${host}/distribution/s3`,
      call({ mediapackageXml: xml, elementIds: ['episode-dc'] }),
    );
    const id = Number(parseJob(res.body).id);
    await admin.dispatchNow();
    expect(admin.tables.jobs.get(id)?.status).toBe('RUNNING');
    await admin.stop();
    await waitFor(
      () => (stack.sources.hits.get('slow-dublincore.xml') ?? 0) >= 2,
      30_000,
      'the retried source read',
    );
    // Give the worker time to finish and the updater to meet the dead registry.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(admin.tables.jobs.get(id)?.status).toBe('RUNNING');
    await admin.start();
    const result = await admin.waitForJob(id, BARRIER);
    expect(result.status).toBe('FINISHED');
    expect(parseElementArray(result.payload ?? '')).toHaveLength(1);
  }, 90_000);
});

describe('roles', () => {
  it('refuses organization and user switching by a caller without ROLE_ADMIN / ROLE_SUDO', async () => {
    const before = admin.tables.jobs.size;
    const asEditor = { digestUser: EDITOR.user, digestPassword: EDITOR.password };
    const org = await proxyDistribute(
      `${host}/distribution/s3`,
      call({ ...asEditor, user: undefined, currentJobId: undefined, organization: 'other_org' }),
    );
    expect(org.status).toBe(403);
    const user = await proxyDistribute(
      `${host}/distribution/s3`,
      call({ ...asEditor, organization: undefined, currentJobId: undefined, user: 'admin' }),
    );
    expect(user.status).toBe(403);
    expect(admin.tables.jobs.size).toBe(before);
  });
});
