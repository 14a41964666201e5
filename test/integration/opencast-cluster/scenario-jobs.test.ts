/**
 * Scenario: Opencast's AWS workflow operations use the service (protocol §3 steps 6-9). The
 * remote proxy calls the async routes, the barrier follows the job in the registry until it
 * is final, and the workflow reads the payload from the registry. Refusals (validation,
 * roles) must leave the registry untouched.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseElementArray } from '../../../src/opencast/element-xml.js';
import { waitFor } from '../../helpers/wait-for.js';
import {
  ORG,
  SERVICE_TYPE,
  TEACHER,
  jobIdOf,
  objectKey,
  serviceJobs,
  serviceRegistered,
  startClusterStack,
  testMediapackage,
  type ClusterStack,
  type TestMediapackage,
} from './cluster-stack.js';

/** Generous: the machine is shared and the service retries with backoff. */
const TEST_TIMEOUT = 120_000;

/** A mediapackage whose element files are all on the source server. */
function servedMediapackage(c: ClusterStack): TestMediapackage & { video: Buffer } {
  const mp = testMediapackage(c.stack.sources.baseUrl);
  const video = randomBytes(256 * 1024 + 7);
  c.stack.sources.set(mp.files['presenter-delivery'] ?? '', video);
  c.stack.sources.set(mp.files['episode-dc'] ?? '', '<dublincore>episode</dublincore>');
  c.stack.sources.set(mp.files['series-dc'] ?? '', '<dublincore>series</dublincore>');
  c.stack.sources.set(mp.files['track-1'] ?? '', randomBytes(1000));
  return { ...mp, video };
}

function jobsSnapshot(c: ClusterStack): number[] {
  return serviceJobs(c.oc).map((j) => j.id);
}

describe.each(['opencast', 'immediate'] as const)('async routes, dispatch %s', (dispatch) => {
  let c: ClusterStack;

  beforeAll(async () => {
    c = await startClusterStack({ dispatch });
    await serviceRegistered(c);
  });
  afterAll(async () => {
    await (c as ClusterStack | undefined)?.close();
  });

  it(
    'distribute: the barrier sees FINISHED with the published elements as payload',
    async () => {
      const mp = servedMediapackage(c);
      const parent = c.workflowJob();
      const res = await c.distribute(mp, ['presenter-delivery', 'episode-dc'], {
        currentJobId: parent,
        user: 'admin',
      });
      expect(res.status).toBe(200);
      const id = jobIdOf(res.body);
      // The answer names a job the registry has: the barrier's first poll must find it.
      const row = c.job(id);
      expect(row).toMatchObject({
        type: SERVICE_TYPE,
        operation: 'Distribute',
        organization: ORG,
        creator: 'admin',
        parentJobId: parent,
        rootJobId: parent,
      });
      expect(row.args?.[0]).toBe('engage-player');
      expect(row.args?.[1]).toContain(mp.id);
      expect(JSON.parse(row.args?.[2] ?? 'null')).toEqual(['presenter-delivery', 'episode-dc']);
      expect(row.args?.[3]).toBe('false');

      const result = await c.barrier(id);
      expect(result.status).toBe('FINISHED');
      const elements = parseElementArray(result.payload ?? '');
      const urls = Object.fromEntries(elements.map((e) => [e.id, e.url]));
      expect(urls).toEqual({
        'presenter-delivery': `${c.stack.baseUrl}${objectKey(mp, 'engage-player', 'presenter-delivery')}`,
        'episode-dc': `${c.stack.baseUrl}${objectKey(mp, 'engage-player', 'episode-dc')}`,
      });
      const stored = await c.stack.s3.readObject(
        c.stack.bucket,
        objectKey(mp, 'engage-player', 'presenter-delivery'),
      );
      expect(stored?.equals(mp.video)).toBe(true);
      // Every field survived the updates (Opencast copies them from the XML the producer PUTs).
      const done = c.job(id);
      expect(done.args).toEqual(row.args);
      expect(done.processingHost).toBe(c.hostUrl);
      expect(done.dateCompleted).toBeDefined();
    },
    TEST_TIMEOUT,
  );

  it(
    'retract: FINISHED with the retracted elements, and the objects are gone',
    async () => {
      const mp = servedMediapackage(c);
      const ids = ['presenter-delivery', 'series-dc'];
      const published = await c.distribute(mp, ids);
      expect(published.status).toBe(200);
      expect((await c.barrier(jobIdOf(published.body))).status).toBe('FINISHED');
      const prefix = `${ORG}/engage-player/${mp.id}/`;
      expect(await c.stack.s3.listKeys(c.stack.bucket, prefix)).toHaveLength(2);

      const res = await c.retract(mp, ids, { currentJobId: c.workflowJob() });
      expect(res.status).toBe(200);
      const id = jobIdOf(res.body);
      expect(c.job(id).operation).toBe('Retract');
      const result = await c.barrier(id);
      expect(result.status).toBe('FINISHED');
      expect(
        parseElementArray(result.payload ?? '')
          .map((e) => e.id)
          .sort(),
      ).toEqual(ids);
      expect(await c.stack.s3.listKeys(c.stack.bucket, prefix)).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'a source that is missing ends FAILED with an incident',
    async () => {
      const mp = servedMediapackage(c);
      const missing = testMediapackage(c.stack.sources.baseUrl); // its files are never served
      const res = await c.distribute(missing, ['presenter-delivery']);
      expect(res.status).toBe(200);
      const id = jobIdOf(res.body);
      const result = await c.barrier(id);
      expect(result.status).toBe('FAILED');
      await waitFor(
        () => c.oc.tables.incidents.some((i) => new RegExp(`\\bid="${id}"`).test(i.jobXml)),
        20_000,
        `an incident for job ${id}`,
      );
      const incident = c.oc.tables.incidents.find((i) =>
        new RegExp(`\\bid="${id}"`).test(i.jobXml),
      );
      expect(incident?.severity).toBe('FAILURE');
      expect(incident?.code).toBe('org.opencastproject.system.unhandled-exception');
      expect(
        await c.stack.s3.listKeys(c.stack.bucket, `${ORG}/engage-player/${missing.id}/`),
      ).toEqual([]);
      // The service is still usable: the next job finishes (and clears a WARNING state).
      const next = await c.distribute(mp, ['series-dc']);
      expect((await c.barrier(jobIdOf(next.body))).status).toBe('FINISHED');
    },
    TEST_TIMEOUT,
  );

  it(
    'a request that fails validation is a 400 and no job in the registry',
    async () => {
      const mp = servedMediapackage(c);
      const before = jobsSnapshot(c);
      const unknownElement = await c.distribute(mp, ['no-such-element']);
      expect(unknownElement.status).toBe(400);
      const brokenXml = await c.distribute({ ...mp, xml: '<mediapackage id="x"><media>' }, ['a']);
      expect(brokenXml.status).toBe(400);
      const retract = await c.retract(mp, []);
      expect(retract.status).toBe(400);
      expect(jobsSnapshot(c)).toEqual(before);
    },
    TEST_TIMEOUT,
  );

  it(
    'switching organization or user without the roles is a 403 and no job',
    async () => {
      const mp = servedMediapackage(c);
      const before = jobsSnapshot(c);
      const asOrg = await c.distribute(mp, ['series-dc'], {
        caller: TEACHER,
        organization: 'other_org',
        user: TEACHER.user,
      });
      expect(asOrg.status).toBe(403);
      const asUser = await c.distribute(mp, ['series-dc'], {
        caller: TEACHER,
        organization: ORG,
        user: 'admin',
      });
      expect(asUser.status).toBe(403);
      const retract = await c.retract(mp, ['series-dc'], {
        caller: TEACHER,
        organization: 'other_org',
        user: 'admin',
      });
      expect(retract.status).toBe(403);
      expect(jobsSnapshot(c)).toEqual(before);
      expect(await c.stack.s3.listKeys(c.stack.bucket, `${ORG}/engage-player/${mp.id}/`)).toEqual(
        [],
      );
    },
    TEST_TIMEOUT,
  );
});
