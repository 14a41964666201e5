import { describe, expect, it } from 'vitest';
import {
  createMembership,
  DISTRIBUTION_SERVICE_PATH,
  DISTRIBUTION_SERVICE_TYPE,
  type MembershipClock,
  type MembershipOptions,
  type MembershipRegistry,
  type MembershipSettings,
} from '../../../src/opencast-cluster/membership.js';
import type { ServiceRegistration } from '../../../src/opencast-cluster/registration-xml.js';
import { RegistryError } from '../../../src/opencast-cluster/registry-error.js';

const settings: MembershipSettings = {
  url: 'http://admin.example.org',
  hostUrl: 'http://s3.example.org',
  nodeName: 's3-1',
  maxLoad: 4,
  sharedHost: false,
  membershipIntervalMs: 30_000,
};

const registration = (over: Partial<ServiceRegistration> = {}): ServiceRegistration => ({
  type: DISTRIBUTION_SERVICE_TYPE,
  host: settings.hostUrl,
  path: DISTRIBUTION_SERVICE_PATH,
  active: true,
  online: true,
  maintenance: false,
  jobProducer: true,
  serviceState: 'NORMAL',
  ...over,
});

/** A registry in memory that records calls; `down` makes every call fail like a network error. */
function fakeRegistry(initial?: ServiceRegistration) {
  const calls: string[] = [];
  const state = {
    registration: initial,
    hosts: ['http://admin.example.org/', 'http://worker.example.org'],
    down: false,
  };
  const call = (name: string) => {
    calls.push(name);
    if (state.down) throw new RegistryError('REGISTRY_UNAVAILABLE', `${name} failed`);
  };
  const registry: MembershipRegistry = {
    registerHost: (info) => {
      call(`registerHost ${info.nodeName} ${info.maxLoad}`);
      return Promise.resolve();
    },
    getServiceRegistration: (type) => {
      call(`get ${type}`);
      return Promise.resolve(state.registration);
    },
    registerService: (type, path) => {
      call(`register ${path}`);
      state.registration = registration({ maintenance: state.registration?.maintenance ?? false });
      expect(type).toBe(DISTRIBUTION_SERVICE_TYPE);
      return Promise.resolve(state.registration);
    },
    setMaintenance: (on) => {
      call(`maintenance ${on}`);
      if (state.registration) state.registration = { ...state.registration, maintenance: on };
      return Promise.resolve();
    },
    listHosts: () => {
      call('listHosts');
      return Promise.resolve([...state.hosts]);
    },
  };
  return { registry, calls, state };
}

/** A clock whose sleeps end only when the test says so; records the delays asked for. */
function manualClock() {
  const delays: number[] = [];
  let wake: (() => void) | undefined;
  const clock: MembershipClock = {
    sleep: (ms, signal) =>
      new Promise((resolve, reject) => {
        delays.push(ms);
        wake = resolve;
        signal.addEventListener('abort', () => {
          reject(new Error('aborted'));
        });
      }),
    random: () => 0.5,
  };
  /** Ends the current sleep and lets the next round run to its next sleep. */
  const tick = async () => {
    const before = delays.length;
    wake?.();
    for (let i = 0; i < 50 && delays.length === before; i++)
      await new Promise((r) => setImmediate(r));
  };
  return { clock, delays, tick };
}

const quiet = { info() {}, warn() {}, error() {}, debug() {} };

function logs() {
  const lines: string[] = [];
  const at = (level: string) => (_: object, msg?: string) => lines.push(`${level}: ${msg ?? ''}`);
  return {
    lines,
    logger: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') },
  };
}

const machine = { address: '10.0.0.5', memory: 1024, cores: 2 };

/** Membership with the test's settings, machine and a quiet logger unless `more` says else. */
function membership(
  registry: MembershipRegistry,
  clock: MembershipClock,
  more: Partial<MembershipOptions> = {},
) {
  return createMembership({ registry, settings, logger: quiet, clock, machine, ...more });
}

describe('membership', () => {
  it('registers host and service when the service is missing, then lists hosts', async () => {
    const { registry, calls } = fakeRegistry();
    const { clock } = manualClock();
    const m = membership(registry, clock);
    await m.start();
    expect(calls).toEqual([
      'registerHost s3-1 4',
      `get ${DISTRIBUTION_SERVICE_TYPE}`,
      'register /distribution/s3',
      'listHosts',
    ]);
    expect(m.registered).toBe(true);
    expect(m.hosts).toEqual(['http://admin.example.org', 'http://worker.example.org']);
    await m.stop();
  });

  it('does not register again a service that is online (that would reset its jobs)', async () => {
    const { registry, calls } = fakeRegistry(registration());
    const { clock, tick } = manualClock();
    const m = membership(registry, clock);
    await m.start();
    await tick();
    await tick();
    expect(calls.filter((c) => c.startsWith('register '))).toEqual([]);
    expect(calls.filter((c) => c.startsWith('get'))).toHaveLength(3);
    await m.stop();
  });

  it('registers an offline service, and again after the registry lost it', async () => {
    const fake = fakeRegistry(registration({ online: false }));
    const { clock, tick } = manualClock();
    const m = membership(fake.registry, clock);
    await m.start();
    expect(fake.calls).toContain('register /distribution/s3');
    fake.calls.length = 0;
    fake.state.registration = undefined;
    await tick();
    expect(fake.calls).toEqual([
      `get ${DISTRIBUTION_SERVICE_TYPE}`,
      'registerHost s3-1 4',
      `get ${DISTRIBUTION_SERVICE_TYPE}`,
      'register /distribution/s3',
      'listHosts',
    ]);
    await m.stop();
  });

  it('lifts maintenance once at start, and never with a shared host', async () => {
    const own = fakeRegistry(registration({ maintenance: true }));
    const a = manualClock();
    const m = membership(own.registry, a.clock);
    await m.start();
    expect(own.calls).toContain('maintenance false');
    // An admin sets maintenance later: the periodic check leaves it.
    own.state.registration = registration({ maintenance: true });
    own.calls.length = 0;
    await a.tick();
    expect(own.calls.some((c) => c.startsWith('maintenance'))).toBe(false);
    await m.stop();

    const shared = fakeRegistry(registration({ maintenance: true }));
    const b = manualClock();
    const s = membership(shared.registry, b.clock, { settings: { ...settings, sharedHost: true } });
    await s.start();
    await s.drain();
    expect(shared.calls.some((c) => c.startsWith('maintenance'))).toBe(false);
  });

  it('drain sets maintenance, stops the loop and never unregisters', async () => {
    const fake = fakeRegistry();
    const { clock, delays } = manualClock();
    const m = membership(fake.registry, clock);
    await m.start();
    await m.drain();
    await m.drain();
    expect(fake.calls.filter((c) => c.startsWith('maintenance'))).toEqual(['maintenance true']);
    const after = fake.calls.length;
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.calls.length).toBe(after);
    expect(delays).toHaveLength(1);
    expect('unregisterService' in fake.registry).toBe(false);
  });

  it('keeps starting while the registry is down, backs off, and joins once it answers', async () => {
    const fake = fakeRegistry();
    fake.state.down = true;
    const { clock, delays, tick } = manualClock();
    const log = logs();
    const m = membership(fake.registry, clock, { logger: log.logger, retryBaseMs: 100 });
    await m.start();
    expect(m.registered).toBe(false);
    expect(log.lines.find((l) => l.startsWith('error'))).toMatch(/cannot reach the registry/);
    await tick();
    await tick();
    // Backoff doubles (jitter fixed at 0.75 by random() = 0.5).
    expect(delays.slice(0, 3)).toEqual([75, 150, 300]);
    fake.state.down = false;
    await tick();
    expect(m.registered).toBe(true);
    expect(delays.at(-1)).toBe(settings.membershipIntervalMs);
    await m.stop();
  });

  it('drain before any registration sets no maintenance', async () => {
    const fake = fakeRegistry();
    fake.state.down = true;
    const { clock } = manualClock();
    const m = membership(fake.registry, clock);
    await m.start();
    fake.state.down = false;
    await m.drain();
    expect(fake.calls.some((c) => c.startsWith('maintenance'))).toBe(false);
  });

  it('drain during the first join waits for it and sets maintenance on what it registered', async () => {
    const fake = fakeRegistry();
    let release: (() => void) | undefined;
    const registerService = fake.registry.registerService;
    fake.registry.registerService = async (type, path) => {
      await new Promise<void>((resolve) => (release = resolve));
      return registerService(type, path);
    };
    const { clock } = manualClock();
    const m = membership(fake.registry, clock);
    const started = m.start();
    for (let i = 0; i < 50 && release === undefined; i++) await new Promise((r) => setImmediate(r));
    const drained = m.drain();
    release?.();
    await Promise.all([started, drained]);
    expect(fake.calls).toContain('register /distribution/s3');
    expect(fake.calls.at(-1)).toBe('maintenance true');
  });

  it('drain sets maintenance when the round in flight does not settle in time', async () => {
    const fake = fakeRegistry();
    fake.registry.registerHost = () => new Promise<void>(() => undefined);
    const { clock } = manualClock();
    const m = membership(fake.registry, clock, { drainTimeoutMs: 20 });
    void m.start();
    await new Promise((r) => setImmediate(r));
    await m.drain();
    expect(fake.calls.at(-1)).toBe('maintenance true');
  });

  it('tells host-list listeners about changes only, and late listeners at once', async () => {
    const fake = fakeRegistry(registration());
    const { clock, tick } = manualClock();
    const m = membership(fake.registry, clock);
    const seen: (readonly string[])[] = [];
    m.onHosts((h) => seen.push(h));
    await m.start();
    await tick();
    fake.state.hosts.push('http://presentation.example.org');
    await tick();
    expect(seen).toEqual([
      ['http://admin.example.org', 'http://worker.example.org'],
      ['http://admin.example.org', 'http://presentation.example.org', 'http://worker.example.org'],
    ]);
    const late: (readonly string[])[] = [];
    m.onHosts((h) => late.push(h));
    expect(late).toHaveLength(1);
    await m.stop();
  });

  it('warns once about an ERROR registration, and again after it recovered and fell back', async () => {
    const fake = fakeRegistry(registration({ serviceState: 'ERROR' }));
    const { clock, tick } = manualClock();
    const log = logs();
    const m = membership(fake.registry, clock, { logger: log.logger });
    await m.start();
    await tick();
    await tick();
    await tick();
    const warnings = () => log.lines.filter((l) => l.includes('in ERROR')).length;
    expect(warnings()).toBe(1);
    fake.state.registration = registration();
    await tick();
    fake.state.registration = registration({ serviceState: 'ERROR' });
    await tick();
    expect(warnings()).toBe(2);
    await m.stop();
  });

  it('as an observer only lists hosts', async () => {
    const fake = fakeRegistry();
    const { clock } = manualClock();
    const m = membership(fake.registry, clock, { mode: 'observer' });
    await m.start();
    await m.drain();
    expect(fake.calls).toEqual(['listHosts']);
  });
});
