/**
 * Membership of H against the admin-node double (docs/opencast-cluster-protocol.md §3
 * steps 1-3 and 5): registration at start and after a registry restart, no registration
 * over an online one (it would reset H's jobs), a registry that is down at start,
 * maintenance on drain, and the host list feeding the sources.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Closers } from '../../../src/compose/closers.js';
import {
  buildOpencastCluster,
  buildRegistryClient,
  startOpencastCluster,
} from '../../../src/compose/opencast-membership.js';
import { loadConfig, type OpencastSettings } from '../../../src/config.js';
import {
  createMembership,
  DISTRIBUTION_SERVICE_TYPE as TYPE,
  type Membership,
} from '../../../src/opencast-cluster/membership.js';
import { createSourceFetcher } from '../../../src/sources/source-fetcher.js';
import { startOpencastAdmin, type OpencastAdmin } from '../../helpers/opencast-admin/admin.js';
import { startTestStack } from '../../helpers/service.js';
import { waitFor } from '../../helpers/wait-for.js';

const SYS = { user: 'opencast_system_account', password: 'CHANGE_ME' };
const H = 'http://s3-distribution.example.org:8080';
const silent = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

let oc: OpencastAdmin;
const started: Membership[] = [];

beforeEach(async () => {
  oc = await startOpencastAdmin({ systemUser: SYS.user, systemPassword: SYS.password });
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((m) => m.stop()));
  await oc.close();
});

function settings(over: Partial<OpencastSettings> = {}): OpencastSettings {
  return {
    url: oc.url,
    user: SYS.user,
    password: SYS.password,
    hostUrl: H,
    dispatch: 'opencast',
    sharedHost: false,
    nodeName: 's3-test',
    maxLoad: 2,
    membershipIntervalMs: 100,
    timeoutMs: 5000,
    clusterSources: true,
    ...over,
  };
}

function member(over: Partial<OpencastSettings> = {}): Membership {
  const s = settings(over);
  const m = createMembership({
    registry: buildRegistryClient(s),
    settings: s,
    logger: silent,
    machine: { address: '127.0.0.1', memory: 1 << 30, cores: 2 },
    retryBaseMs: 50,
    drainTimeoutMs: 300,
  });
  started.push(m);
  return m;
}

const registerCalls = () =>
  oc.tables.calls.filter((c) => c.method === 'POST' && c.path === '/services/register').length;

describe('membership against the admin double', () => {
  it('registers host and service at start', async () => {
    const m = member();
    await m.start();
    expect(m.registered).toBe(true);
    expect(oc.tables.hosts.get(H)).toMatchObject({ online: true, maxLoad: 2, nodeName: 's3-test' });
    expect(oc.tables.registration(TYPE, H)).toMatchObject({
      path: '/distribution/s3',
      online: true,
      jobProducer: true,
    });
    expect(m.hosts).toEqual([H]);
  });

  it('does not register over an online registration, so the jobs H runs survive a restart', async () => {
    await member().start();
    oc.tables.jobs.set(42, {
      id: 42,
      version: 1,
      type: TYPE,
      status: 'RUNNING',
      operation: 'Distribute',
      processingHost: H,
      createdHost: H,
      queueTime: 0,
      runTime: 0,
      dispatchable: true,
      jobLoad: 0.1,
    });
    // A second process (a restart, or a replica) behind the same H.
    const again = member();
    await again.start();
    await again.checkNow();
    expect(registerCalls()).toBe(1);
    expect(oc.tables.jobs.get(42)?.status).toBe('RUNNING');
  });

  it('registers again after the registry restarts on an empty database', async () => {
    const m = member();
    await m.start();
    await oc.stop();
    await oc.start({ wipe: true });
    expect(oc.tables.registration(TYPE, H)).toBeUndefined();
    await waitFor(
      () => oc.tables.registration(TYPE, H)?.online === true,
      10_000,
      're-registration',
    );
    expect(oc.tables.hosts.get(H)?.online).toBe(true);
    expect(registerCalls()).toBe(2);
  });

  it('starts while the registry is down and registers once it is up', async () => {
    await oc.stop();
    const m = member();
    await m.start();
    expect(m.registered).toBe(false);
    await oc.start();
    await waitFor(() => m.registered, 10_000, 'registration after the outage');
    expect(oc.tables.registration(TYPE, H)?.online).toBe(true);
  });

  it('names the system account when the registry refuses it', async () => {
    const s = settings({ password: 'wrong' });
    const lines: string[] = [];
    const log = (_: object, msg?: string) => lines.push(msg ?? '');
    const m = createMembership({
      registry: buildRegistryClient(s),
      settings: s,
      logger: { info: log, warn: log, error: log, debug: log },
    });
    started.push(m);
    await m.start();
    expect(m.registered).toBe(false);
    expect(lines.join('\n')).toMatch(/refuses the system account \(HTTP 401\).*OPENCAST_PASSWORD/);
  });

  it('puts H into maintenance on drain and lifts it at the next start', async () => {
    const m = member();
    await m.start();
    await m.drain();
    expect(oc.tables.hosts.get(H)?.maintenance).toBe(true);
    expect(oc.tables.registration(TYPE, H)?.maintenance).toBe(true);
    expect(oc.tables.calls.some((c) => c.path === '/services/unregister')).toBe(false);
    // Drained means the loop stopped: no more calls.
    const count = oc.tables.calls.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(oc.tables.calls.length).toBe(count);

    await member().start();
    expect(oc.tables.hosts.get(H)?.maintenance).toBe(false);
  });

  it('does not let a hanging registry hold up the drain', async () => {
    const m = member();
    await m.start();
    oc.faults.failNext('POST /services/maintenance', 1, 'hang');
    await m.drain();
    expect(oc.faults.hanging).toBe(1);
    oc.faults.releaseHangs();
  });

  it('with a shared host, never touches maintenance', async () => {
    const m = member({ sharedHost: true });
    await m.start();
    await m.drain();
    expect(oc.tables.hosts.get(H)?.maintenance).toBe(false);
    // An admin's maintenance is left alone at start too.
    oc.tables.hosts.get(H)!.maintenance = true;
    for (const r of oc.tables.registrations.values()) r.maintenance = true;
    await member({ sharedHost: true }).start();
    expect(oc.tables.hosts.get(H)?.maintenance).toBe(true);
    expect(oc.tables.calls.some((c) => c.path === '/services/maintenance')).toBe(false);
  });
});

describe('cluster hosts as sources', () => {
  it("allows the registered hosts' /files/ and /assets/, not H's own, and follows changes", async () => {
    const config = loadConfig({
      OPENCAST_URL: oc.url,
      OPENCAST_USER: SYS.user,
      OPENCAST_PASSWORD: SYS.password,
      OPENCAST_HOST_URL: H,
      OPENCAST_MEMBERSHIP_INTERVAL_MS: '100',
    });
    const cluster = buildOpencastCluster(config, silent);
    if (cluster === undefined) throw new Error('Opencast mode expected');
    const fetcher = createSourceFetcher(config.sources, {
      clusterAccount: { username: SYS.user, password: SYS.password },
      clusterHosts: [oc.url],
    });
    const closers = new Closers(silent);
    startOpencastCluster(cluster, fetcher, closers);
    const allowed = (url: string) => {
      try {
        fetcher.assertAllowed(url);
        return true;
      } catch {
        return false;
      }
    };
    const worker = 'http://worker.example.org:8080';
    try {
      await waitFor(() => cluster.membership.registered, 10_000, 'registration');
      expect(allowed(`${oc.url}/files/mediapackage/a.mp4`)).toBe(true);
      expect(allowed(`${worker}/files/mediapackage/a.mp4`)).toBe(false);
      oc.tables.hosts.set(worker, {
        baseUrl: worker,
        address: '10.0.0.9',
        nodeName: 'worker',
        memory: 1,
        cores: 1,
        maxLoad: 1,
        online: true,
        active: true,
        maintenance: false,
      });
      await waitFor(() => allowed(`${worker}/assets/assets/a.mp4`), 10_000, 'worker host allowed');
      expect(allowed(`${worker}/files/mediapackage/a.mp4`)).toBe(true);
      expect(allowed(`${worker}/admin-ng/index.html`)).toBe(false);
      expect(allowed(`${H}/files/mediapackage/a.mp4`)).toBe(false);
    } finally {
      await closers.close();
    }
    // Closing drained: H went into maintenance.
    expect(oc.tables.hosts.get(H)?.maintenance).toBe(true);
  });
});

describe('the service in Opencast mode', () => {
  it('registers at start and puts H into maintenance first on close', async () => {
    const stack = await startTestStack({
      OPENCAST_URL: oc.url,
      OPENCAST_USER: SYS.user,
      OPENCAST_PASSWORD: SYS.password,
      OPENCAST_HOST_URL: H,
      OPENCAST_MEMBERSHIP_INTERVAL_MS: '100',
    });
    try {
      await waitFor(
        () => stack.service.opencast?.membership.registered === true,
        10_000,
        'registration at start',
      );
      expect(oc.tables.registration(TYPE, H)?.online).toBe(true);
      // Hold the maintenance call: while it is pending, HTTP must still answer.
      oc.faults.failNext('POST /services/maintenance', 1, 'hang');
      const closing = stack.close();
      await waitFor(() => oc.faults.hanging === 1, 10_000, 'maintenance call');
      expect((await fetch(`${stack.url}/health`)).status).toBe(200);
      oc.faults.releaseHangs();
      await closing;
      expect(oc.tables.calls.some((c) => c.path === '/services/unregister')).toBe(false);
    } finally {
      await stack.close();
    }
  });
});
