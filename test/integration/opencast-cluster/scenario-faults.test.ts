/**
 * Scenario: faults while Opencast waits on a job. A worker process stopped in the middle of
 * an upload, and a registry that is unreachable when the final status is sent, must not
 * leave the barrier waiting forever or see FAILED: the job still ends FINISHED. The API
 * and the workers are separate processes behind one host URL, as in a scaled deployment.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseElementArray } from '../../../src/opencast/element-xml.js';
import type { RunningService } from '../../../src/service.js';
import { waitFor } from '../../helpers/wait-for.js';
import {
  jobIdOf,
  objectKey,
  serviceRegistered,
  startClusterStack,
  testMediapackage,
  type ClusterStack,
} from './cluster-stack.js';

/** Generous: the machine is shared and the service retries with backoff. */
const TEST_TIMEOUT = 120_000;

const WORKER = { ROLE: 'worker', HTTP_PORT: '0' };

let c: ClusterStack;
let worker: RunningService;

beforeAll(async () => {
  c = await startClusterStack({ env: { ROLE: 'api', OPENCAST_SHARED_HOST: 'true' } });
  worker = await c.startReplica(WORKER);
  await serviceRegistered(c);
});
afterAll(async () => {
  await (c as ClusterStack | undefined)?.close();
});

function heldMediapackage() {
  const mp = testMediapackage(c.stack.sources.baseUrl);
  const video = randomBytes(512 * 1024 + 11);
  const held = c.stack.sources.hold(mp.files['presenter-delivery'] ?? '', video);
  return { mp, video, held };
}

/** A job Opencast waits on, RUNNING, its upload held at the source until released. */
async function runningJob() {
  const mp = heldMediapackage();
  const res = await c.distribute(mp.mp, ['presenter-delivery']);
  expect(res.status).toBe(200);
  const id = jobIdOf(res.body);
  await mp.held.arrived;
  expect(c.job(id).status).toBe('RUNNING');
  return { mp, id };
}

async function expectPublished(id: number, mp: ReturnType<typeof heldMediapackage>) {
  const result = await c.barrier(id);
  expect(result.status).toBe('FINISHED');
  const key = objectKey(mp.mp, 'engage-player', 'presenter-delivery');
  expect(parseElementArray(result.payload ?? '')[0]?.url).toBe(`${c.stack.baseUrl}${key}`);
  expect((await c.stack.s3.readObject(c.stack.bucket, key))?.equals(mp.video)).toBe(true);
}

describe('faults during a job Opencast waits on', () => {
  it(
    'a worker stopped mid-upload: the other running worker finishes the job',
    async () => {
      const { mp, id } = await runningJob();
      // A second worker, up and settled (a few membership rounds) before the first one goes.
      const other = await c.startReplica(WORKER);
      await sleep(1000);

      // The held read never answers: the worker's drain gives up after its grace period.
      await worker.close();
      expect(c.job(id).status).not.toBe('FAILED');
      worker = other;
      await expectPublished(id, mp);
    },
    TEST_TIMEOUT,
  );

  it(
    'a worker stopped mid-upload: a replacement worker started afterwards finishes the job',
    async () => {
      const { mp, id } = await runningJob();

      await worker.close();
      expect(c.job(id).status).not.toBe('FAILED');
      expect(c.job(id).status).not.toBe('FINISHED');

      // The redelivered command reaches the new worker right as it starts consuming.
      worker = await c.startReplica(WORKER);
      await expectPublished(id, mp);
    },
    TEST_TIMEOUT,
  );

  it(
    'the registry is down when the final status is sent: it arrives later',
    async () => {
      const { mp, id } = await runningJob();

      // The next job update is the final one: hold it, then take the registry away.
      c.oc.faults.failNext('PUT /services/job/{id}.xml', 1, 'hang');
      mp.held.release();
      await waitFor(() => c.oc.faults.hanging === 1, 20_000, 'the final job update');
      await c.oc.stop();
      // The outage lasts a while: the worker's retries meet a closed port meanwhile.
      await sleep(1500);
      expect(
        await c.stack.s3.readObject(
          c.stack.bucket,
          objectKey(mp.mp, 'engage-player', 'presenter-delivery'),
        ),
      ).toBeDefined();
      await c.oc.start();
      await expectPublished(id, mp);
    },
    TEST_TIMEOUT,
  );

  it(
    'the registry fails the final update several times: it still arrives',
    async () => {
      const { mp, id } = await runningJob();
      c.oc.faults.failNext('PUT /services/job/{id}.xml', 3, { status: 500 });
      const mark = c.oc.tables.calls.length;
      mp.held.release();
      await expectPublished(id, mp);
      const puts = c.oc.tables.calls
        .slice(mark)
        .filter((call) => call.method === 'PUT' && call.path === `/services/job/${id}.xml`);
      expect(puts.filter((p) => p.status === 500).length).toBe(3);
      expect(puts.at(-1)?.status).toBe(204);
    },
    TEST_TIMEOUT,
  );

  it(
    'a job deleted meanwhile (workflow stopped) is final, not retried forever',
    async () => {
      const { mp, id } = await runningJob();
      c.oc.tables.jobs.delete(id);
      mp.held.release();
      const key = objectKey(mp.mp, 'engage-player', 'presenter-delivery');
      await waitFor(
        async () => (await c.stack.s3.readObject(c.stack.bucket, key)) !== undefined,
        20_000,
        'the upload',
      );
      const touches = () =>
        c.oc.tables.calls.filter((call) => call.path === `/services/job/${id}.xml`).length;
      await waitFor(() => touches() > 0, 20_000, 'the attempt to update the job');
      // Give a retry loop time to show itself, then check it has stopped.
      await sleep(1500);
      const settled = touches();
      await sleep(1500);
      expect(touches()).toBe(settled);
      // And the service keeps working.
      const next = heldMediapackage();
      next.held.release();
      const again = await c.distribute(next.mp, ['presenter-delivery']);
      await expectPublished(jobIdOf(again.body), next);
    },
    TEST_TIMEOUT,
  );
});
