/**
 * Scenario: the service joins an Opencast cluster (docs/opencast-cluster-protocol.md §3 steps
 * 1-5), seen only through the admin node's registry: registration at start and after the
 * registry restarts on a fresh database, the heartbeat, replicas behind one host URL, and
 * the drain, which uses maintenance and never unregisters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../../src/service.js';
import { freePort } from '../../helpers/free-port.js';
import { waitFor, waitForValue } from '../../helpers/wait-for.js';
import {
  SERVICE_PATH,
  SERVICE_TYPE,
  SYSTEM,
  startClusterStack,
  type ClusterStack,
} from './cluster-stack.js';

/** Generous: the machine is shared and the service retries with backoff. */
const TEST_TIMEOUT = 120_000;

const REGISTRATION_MS = 20_000;

function callsTo(c: ClusterStack, path: string, from = 0) {
  return c.oc.tables.calls.slice(from).filter((call) => call.path === path);
}

const registration = (c: ClusterStack) => c.oc.tables.registration(SERVICE_TYPE, c.hostUrl);

async function registered(c: ClusterStack): Promise<void> {
  await waitFor(
    () => registration(c)?.online === true && c.oc.tables.hosts.get(c.hostUrl)?.online === true,
    REGISTRATION_MS,
    `registration of ${SERVICE_TYPE} on ${c.hostUrl}`,
    20,
  );
}

describe('one service on its own host URL', () => {
  let c: ClusterStack;

  beforeAll(async () => {
    c = await startClusterStack();
  });
  afterAll(async () => {
    await (c as ClusterStack | undefined)?.close();
  });

  it(
    'registers its host and then the service as a job producer at start',
    async () => {
      await registered(c);
      const host = c.oc.tables.hosts.get(c.hostUrl);
      expect(host).toMatchObject({ online: true, active: true, maintenance: false });
      expect(host?.maxLoad).toBe(4);
      expect(host?.nodeName).toBe('scenario');
      expect(registration(c)).toMatchObject({
        path: SERVICE_PATH,
        jobProducer: true,
        online: true,
        active: true,
      });
      // Host first: registering a service on an unknown host is a 500 in Opencast.
      const paths = c.oc.tables.calls.map((call) => `${call.method} ${call.path}`);
      const host204 = c.oc.tables.calls.findIndex(
        (call) => call.path === '/services/registerhost' && call.status === 204,
      );
      expect(host204).toBeGreaterThanOrEqual(0);
      expect(paths.indexOf('POST /services/register')).toBeGreaterThan(host204);
      for (const call of c.oc.tables.calls.filter((x) => x.status < 300)) {
        expect(call.user).toBe(SYSTEM.user);
      }
    },
    TEST_TIMEOUT,
  );

  it(
    'stays online through heartbeat rounds, answering the probe at once',
    async () => {
      await registered(c);
      for (let round = 0; round < 4; round++) await c.oc.heartbeatNow();
      expect(registration(c)?.online).toBe(true);
      expect((await c.read('HEAD', `${SERVICE_PATH}/dispatch`)).status).toBe(200);
    },
    TEST_TIMEOUT,
  );

  it(
    'registers again when the registry restarts on a fresh database',
    async () => {
      await registered(c);
      await c.oc.stop();
      await c.oc.start({ wipe: true });
      expect(registration(c)).toBeUndefined();
      await registered(c);
      expect(registration(c)).toMatchObject({ path: SERVICE_PATH, jobProducer: true });
      // And the heartbeat of the new registry keeps it there.
      for (let round = 0; round < 3; round++) await c.oc.heartbeatNow();
      expect(registration(c)?.online).toBe(true);
    },
    TEST_TIMEOUT,
  );

  it(
    'drains into maintenance, never unregisters, and leaves maintenance when back',
    async () => {
      await registered(c);
      await c.stack.service.close();
      await waitFor(
        () => c.oc.tables.hosts.get(c.hostUrl)?.maintenance === true,
        REGISTRATION_MS,
        'maintenance on drain',
      );
      expect(registration(c)).toBeDefined();
      expect(callsTo(c, '/services/unregister')).toEqual([]);
      expect(callsTo(c, '/services/unregisterhost')).toEqual([]);

      await c.startReplica({});
      await waitFor(
        () => c.oc.tables.hosts.get(c.hostUrl)?.maintenance === false,
        REGISTRATION_MS,
        'maintenance off after the restart',
      );
      await registered(c);
    },
    TEST_TIMEOUT,
  );
});

describe('replicas behind one host URL', () => {
  let c: ClusterStack;

  beforeAll(async () => {
    c = await startClusterStack({ env: { OPENCAST_SHARED_HOST: 'true' } });
  });
  afterAll(async () => {
    await (c as ClusterStack | undefined)?.close();
  });

  it(
    "a starting replica does not clean up the other replica's running jobs",
    async () => {
      await registered(c);
      const id = 9_000_001;
      c.oc.tables.jobs.set(id, {
        id,
        version: 3,
        type: SERVICE_TYPE,
        status: 'RUNNING',
        creator: 'admin',
        organization: 'mh_default_org',
        operation: 'Distribute',
        args: ['engage-player', '<mediapackage/>', '["x"]', 'false'],
        createdHost: c.hostUrl,
        processingHost: c.hostUrl,
        dateCreated: new Date(),
        dateStarted: new Date(),
        queueTime: 0,
        runTime: 0,
        dispatchable: true,
        jobLoad: 0.1,
      });
      const mark = c.oc.tables.calls.length;
      const replica: RunningService = await c.startReplica({
        HTTP_PORT: String(await freePort()),
      });
      // The replica has checked the registration by the time it serves.
      await waitForValue(
        () => (callsTo(c, '/services/services.xml', mark).length > 0 ? true : undefined),
        REGISTRATION_MS,
        "the replica's registration check",
      );
      expect(callsTo(c, '/services/register', mark)).toEqual([]);
      expect(c.oc.tables.jobs.get(id)?.status).toBe('RUNNING');
      c.oc.tables.jobs.delete(id);

      // A replica that drains leaves the shared host in service: the other one still works.
      await replica.close();
      expect(c.oc.tables.hosts.get(c.hostUrl)?.maintenance).toBe(false);
      expect(registration(c)?.online).toBe(true);
      expect(callsTo(c, '/services/unregister')).toEqual([]);
      expect(callsTo(c, '/services/maintenance', mark)).toEqual([]);
      await c.oc.heartbeatNow();
      await c.oc.heartbeatNow();
      expect(registration(c)?.online).toBe(true);
    },
    TEST_TIMEOUT,
  );
});
