/**
 * Scenario: Opencast's JobDispatcher hands the service jobs it did not create through the
 * async route (protocol §3 step 7): a QUEUED job, and a RESTART job (what Opencast's
 * clean-up makes of a RUNNING job when a node lost the service). Either way it must
 * complete, in both dispatch modes. A job that can never run is answered 412 and fails.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseElementArray } from '../../../src/opencast/element-xml.js';
import {
  ORG,
  SERVICE_TYPE,
  jobIdOf,
  objectKey,
  serviceRegistered,
  startClusterStack,
  testMediapackage,
  type ClusterStack,
} from './cluster-stack.js';

/** Generous: the machine is shared and the service retries with backoff. */
const TEST_TIMEOUT = 120_000;

describe.each(['opencast', 'immediate'] as const)('dispatch, mode %s', (dispatch) => {
  let c: ClusterStack;

  beforeAll(async () => {
    // Dispatcher rounds only on demand, so each test decides when Opencast dispatches.
    c = await startClusterStack({ dispatch, dispatchIntervalMs: null });
    await serviceRegistered(c);
  });
  afterAll(async () => {
    await (c as ClusterStack | undefined)?.close();
  });

  /** A dispatchable job in the registry, created the way any Opencast node would. */
  async function queuedJob(args: string[], operation = 'Distribute'): Promise<number> {
    const created = await c.registry(
      'POST',
      '/services/job',
      [
        ['jobType', SERVICE_TYPE],
        ['host', c.hostUrl],
        ['operation', operation],
        ...args.map((a): [string, string] => ['arg', a]),
        ['jobLoad', '0.1'],
        ['start', 'true'],
      ],
      { 'X-Opencast-Matterhorn-Organization': ORG, 'X-Opencast-Matterhorn-User': 'admin' },
    );
    expect(created.status).toBe(201);
    const id = jobIdOf(created.body);
    expect(c.job(id).status).toBe('QUEUED');
    return id;
  }

  function distributable() {
    const mp = testMediapackage(c.stack.sources.baseUrl);
    const video = randomBytes(64 * 1024 + 3);
    c.stack.sources.set(mp.files['presenter-delivery'] ?? '', video);
    const args = ['engage-player', mp.xml, JSON.stringify(['presenter-delivery']), 'false'];
    return { mp, video, args };
  }

  it(
    'a QUEUED job is accepted, run and FINISHED',
    async () => {
      const { mp, video, args } = distributable();
      const id = await queuedJob(args);
      await c.oc.dispatchNow();
      // Java's acceptJob persists RUNNING before answering 204; the dispatcher does not
      // put the job back, so it is ours now.
      expect(['RUNNING', 'FINISHED']).toContain(c.job(id).status);
      expect(c.job(id).processingHost).toBe(c.hostUrl);
      const result = await c.barrier(id);
      expect(result.status).toBe('FINISHED');
      const [element] = parseElementArray(result.payload ?? '');
      const key = objectKey(mp, 'engage-player', 'presenter-delivery');
      expect(element?.url).toBe(`${c.stack.baseUrl}${key}`);
      expect((await c.stack.s3.readObject(c.stack.bucket, key))?.equals(video)).toBe(true);
    },
    TEST_TIMEOUT,
  );

  it(
    'a RESTART job (cleaned up after a lost node) is run again and FINISHED',
    async () => {
      const { mp, video, args } = distributable();
      const id = await queuedJob(args);
      // What cleanRunningJobs leaves of a dispatchable job that was RUNNING elsewhere.
      const row = c.job(id);
      row.status = 'RESTART';
      row.processingHost = undefined;
      row.dateStarted = new Date();
      row.version += 1;
      await c.oc.dispatchNow();
      const result = await c.barrier(id);
      expect(result.status).toBe('FINISHED');
      const key = objectKey(mp, 'engage-player', 'presenter-delivery');
      expect((await c.stack.s3.readObject(c.stack.bucket, key))?.equals(video)).toBe(true);
    },
    TEST_TIMEOUT,
  );

  it(
    'a retract handed over by the dispatcher removes the objects',
    async () => {
      const { mp, args } = distributable();
      const first = await queuedJob(args);
      await c.oc.dispatchNow();
      expect((await c.barrier(first)).status).toBe('FINISHED');
      const prefix = `${ORG}/engage-player/${mp.id}/`;
      expect(await c.stack.s3.listKeys(c.stack.bucket, prefix)).toHaveLength(1);
      const id = await queuedJob(
        ['engage-player', mp.xml, JSON.stringify(['presenter-delivery'])],
        'Retract',
      );
      await c.oc.dispatchNow();
      expect((await c.barrier(id)).status).toBe('FINISHED');
      expect(await c.stack.s3.listKeys(c.stack.bucket, prefix)).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'a job that can never run is refused with 412 and FAILED by the dispatcher',
    async () => {
      const id = await queuedJob(['engage-player', 'this is not a mediapackage', '["x"]', 'false']);
      await c.oc.dispatchNow();
      const result = await c.barrier(id);
      expect(result.status).toBe('FAILED');
      // Refused at the door: the service never marked it as its own.
      expect(c.job(id).dateStarted).toBeUndefined();
    },
    TEST_TIMEOUT,
  );
});
