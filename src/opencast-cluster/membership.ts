/**
 * Membership of host H in an Opencast cluster (docs/opencast-cluster-protocol.md §3 steps
 * 1-3 and 5): register at start, check the registration periodically, follow the cluster's
 * host list, and put H into maintenance on drain.
 *
 * This service never unregisters, neither its service nor its host. `POST
 * /services/unregister` sets the registration offline and runs Opencast's
 * `cleanRunningJobs(type, H)`: every job H is running becomes RESTART or FAILED. Rows are
 * matched by the host string, so with several replicas behind one host URL a replica that
 * stops would reset the jobs of every other replica; and even with one replica, jobs
 * already in RabbitMQ finish after a restart, so resetting them would only make Opencast
 * run them twice or fail them. Maintenance (reversible, no job touched) is what drain uses.
 */
import { availableParallelism, networkInterfaces, totalmem } from 'node:os';
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { OpencastSettings } from '../config.js';
import type { HostInfo, RegistryClient } from './registry-client.js';
import { RegistryError } from './registry-error.js';
import type { ServiceRegistration } from './registration-xml.js';

/** The service type Opencast's AWS S3 workflow operations look up. */
export const DISTRIBUTION_SERVICE_TYPE = 'org.opencastproject.distribution.aws.s3';
/** Where that service answers on H (the Java endpoint's path). */
export const DISTRIBUTION_SERVICE_PATH = '/distribution/s3';

/** The registry calls membership makes. */
export type MembershipRegistry = Pick<
  RegistryClient,
  'registerHost' | 'getServiceRegistration' | 'registerService' | 'setMaintenance' | 'listHosts'
>;

/** The settings membership reads. */
export type MembershipSettings = Pick<
  OpencastSettings,
  'url' | 'hostUrl' | 'nodeName' | 'maxLoad' | 'sharedHost' | 'membershipIntervalMs'
>;

/** What membership logs through (pino fits). */
export interface MembershipLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** Waiting between rounds; injectable so tests need not wait. */
export interface MembershipClock {
  /** Resolves after `ms`, or rejects once `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** A number in [0, 1) for backoff jitter. */
  random(): number;
}

/** Options of {@link createMembership}. */
export interface MembershipOptions {
  readonly registry: MembershipRegistry;
  readonly settings: MembershipSettings;
  readonly logger: MembershipLogger;
  /**
   * `member` (default) registers H and drains it; `observer` only follows the host list,
   * for processes that do not serve H's HTTP routes (worker-only) but read sources.
   */
  readonly mode?: 'member' | 'observer';
  readonly clock?: MembershipClock;
  /** What registerhost records besides nodeName and maxLoad; default: this machine. */
  readonly machine?: Pick<HostInfo, 'address' | 'memory' | 'cores'>;
  /** First retry delay after a failed round, doubled up to the interval; default 1 s. */
  readonly retryBaseMs?: number;
  /** Longest wait for the maintenance call on drain, so shutdown goes on; default 5 s. */
  readonly drainTimeoutMs?: number;
}

/** Listener of the cluster's host list (base URLs, sorted, without trailing slash). */
export type HostsListener = (hosts: readonly string[]) => void;

/** A started (or startable) membership. */
export interface Membership {
  /** Starts the background loop; resolves after the first round, whatever its outcome. */
  start(): Promise<void>;
  /** Runs one round now (after any round in progress); rejects with the round's error. */
  checkNow(): Promise<void>;
  /** Stops the loop and puts H into maintenance, unless H is shared. Never unregisters. */
  drain(): Promise<void>;
  /** Stops the loop only. */
  stop(): Promise<void>;
  /** Whether the service was registered and online when the registry last answered. */
  readonly registered: boolean;
  /** The cluster's hosts as last listed; empty before the first successful listing. */
  readonly hosts: readonly string[];
  /** Calls `listener` with every new host list (at once if one is known); returns an unsubscribe. */
  onHosts(listener: HostsListener): () => void;
}

const defaultClock: MembershipClock = {
  sleep: (ms, signal) => sleepFor(ms, undefined, { signal }),
  random: Math.random,
};

/** This machine as registerhost describes a node. */
export function thisMachine(): Pick<HostInfo, 'address' | 'memory' | 'cores'> {
  const ipv4 = Object.values(networkInterfaces())
    .flat()
    .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal);
  return {
    address: ipv4?.address ?? '127.0.0.1',
    memory: totalmem(),
    cores: availableParallelism(),
  };
}

/** Creates the membership of H; nothing is sent before {@link Membership.start}. */
export function createMembership(options: MembershipOptions): Membership {
  const { registry, settings, logger } = options;
  const clock = options.clock ?? defaultClock;
  const member = (options.mode ?? 'member') === 'member';
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const host: HostInfo = {
    ...(options.machine ?? thisMachine()),
    nodeName: settings.nodeName,
    maxLoad: settings.maxLoad,
  };
  const where = { opencast: settings.url, host: settings.hostUrl };
  const stopper = new AbortController();
  const listeners = new Set<HostsListener>();

  let registered = false;
  let joinedOnce = false;
  // Set once a register call succeeded: H (or the service) may now be in the registry, even
  // when the round that registered it was cut short by a drain.
  let touchedRegistry = false;
  let draining = false;
  let failures = 0;
  let lastState: string | undefined;
  let hosts: readonly string[] = [];
  let queue: Promise<unknown> = Promise.resolve();
  let loop: Promise<void> | undefined;
  let lifting: Promise<void> | undefined;
  let drained: Promise<void> | undefined;

  const checkStopped = () => {
    if (stopper.signal.aborted) throw new Error('membership stopped');
  };

  /** Registers H and, if missing or offline, the service (protocol §3 steps 1-3). */
  async function join(): Promise<void> {
    await registry.registerHost(host);
    touchedRegistry = true;
    checkStopped();
    let registration = await registry.getServiceRegistration(DISTRIBUTION_SERVICE_TYPE);
    checkStopped();
    if (registration?.online === true) {
      // Registering again would reset the jobs Opencast believes H runs (cleanRunningJobs).
      logger.info(where, 'Opencast: service already registered and online; not registering again');
    } else {
      const reason = registration === undefined ? 'missing' : 'offline';
      registration = await registry.registerService(
        DISTRIBUTION_SERVICE_TYPE,
        DISTRIBUTION_SERVICE_PATH,
      );
      touchedRegistry = true;
      logger.info({ ...where, reason }, 'Opencast: registered the S3 distribution service');
    }
    if (!joinedOnce) await firstJoin(registration);
    joinedOnce = true;
    registered = true;
  }

  /** Once per process: lift a maintenance left by the previous drain, unless H is shared. */
  async function firstJoin(registration: ServiceRegistration): Promise<void> {
    if (!registration.maintenance) return;
    if (settings.sharedHost) {
      logger.warn(
        where,
        'Opencast: H is in maintenance and OPENCAST_SHARED_HOST is set: leaving it to the admin; Opencast sends no work until maintenance is lifted',
      );
      return;
    }
    if (draining) return;
    lifting = registry.setMaintenance(false);
    await lifting;
    logger.info(where, 'Opencast: lifted the maintenance of H left by an earlier drain');
  }

  /** Re-checks the registration: a restarted (wiped) registry or an offline service re-joins. */
  async function check(): Promise<void> {
    const registration = await registry.getServiceRegistration(DISTRIBUTION_SERVICE_TYPE);
    checkStopped();
    if (registration?.online === true) {
      if (registration.serviceState === 'ERROR') {
        report('error-state', () => {
          logger.warn(
            where,
            'Opencast: the service registration is in ERROR: Opencast sends it no work until an admin calls POST /services/sanitize',
          );
        });
      } else {
        lastState = undefined;
      }
      return;
    }
    registered = false;
    logger.warn(
      { ...where, registration: registration === undefined ? 'missing' : 'offline' },
      'Opencast: the service registration is gone or offline; registering again',
    );
    await join();
  }

  async function refreshHosts(): Promise<void> {
    const listed = await registry.listHosts();
    checkStopped();
    const next = [...new Set(listed.map((url) => url.replace(/\/+$/, '')))].sort();
    if (next.length === hosts.length && next.every((url, i) => url === hosts[i])) return;
    hosts = Object.freeze(next);
    logger.info({ hosts: next }, 'Opencast: cluster hosts');
    for (const listener of listeners) notify(listener);
  }

  function notify(listener: HostsListener): void {
    try {
      listener(hosts);
    } catch (err) {
      logger.error({ err }, 'Opencast: a host-list listener failed');
    }
  }

  /** Logs a state once, until another state is reported. */
  function report(state: string, log: () => void): void {
    if (lastState !== state) log();
    lastState = state;
  }

  async function round(): Promise<void> {
    if (member) {
      if (registered) await check();
      else await join();
    }
    await refreshHosts();
  }

  /** Runs `task` after every round already queued, so rounds never overlap. */
  function serial(task: () => Promise<void>): Promise<void> {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  }

  async function attempt(): Promise<void> {
    try {
      await serial(round);
      if (failures > 0) logger.info(where, 'Opencast: the registry answers again');
      failures = 0;
    } catch (err) {
      if (stopper.signal.aborted) return;
      failures++;
      const level = failures === 1 ? 'error' : 'warn';
      const status = err instanceof RegistryError ? err.status : undefined;
      const problem =
        status === 401 || status === 403
          ? `the registry refuses the system account (HTTP ${status}): check OPENCAST_USER and OPENCAST_PASSWORD`
          : 'cannot reach the registry';
      logger[level](
        { ...where, err, failures },
        member && !joinedOnce
          ? `Opencast: ${problem}; the service runs, but Opencast sends it no work until it registers; retrying in the background`
          : `Opencast: a membership round failed (${problem}); retrying in the background`,
      );
    }
  }

  function delay(): number {
    const interval = settings.membershipIntervalMs;
    if (failures === 0) return interval;
    const backoff = Math.min(interval, retryBaseMs * 2 ** Math.min(failures - 1, 20));
    return Math.max(1, Math.round(backoff * (0.5 + clock.random() / 2)));
  }

  async function run(first: Promise<void>): Promise<void> {
    await first;
    while (!stopper.signal.aborted) {
      try {
        await clock.sleep(delay(), stopper.signal);
      } catch {
        return;
      }
      await attempt();
    }
  }

  function stopLoop(): Promise<void> {
    stopper.abort();
    return Promise.resolve();
  }

  return {
    start() {
      if (loop !== undefined) return Promise.resolve();
      logger.info(
        { ...where, mode: member ? 'member' : 'observer', sharedHost: settings.sharedHost },
        'Opencast mode: joining the cluster',
      );
      const first = attempt();
      loop = run(first);
      return first;
    },
    checkNow: () => serial(round),
    drain() {
      drained ??= (async () => {
        draining = true;
        await stopLoop();
        if (!member) return;
        const deadline = options.drainTimeoutMs ?? 5000;
        // A round in flight (the first join, say) may still register H after the stop: wait
        // for it, so maintenance is set on what it registered rather than skipped.
        const settled = await withDeadline(
          queue.then(() => undefined),
          deadline,
        ).then(
          () => true,
          () => false,
        );
        // A lift still under way must not land after the maintenance set here.
        await lifting?.catch(() => undefined);
        if (settings.sharedHost) {
          logger.info(where, 'Opencast: shared host: drain leaves maintenance untouched');
          return;
        }
        if (settled && !touchedRegistry) {
          logger.warn(where, 'Opencast: never registered; no maintenance to set on drain');
          return;
        }
        try {
          await withDeadline(registry.setMaintenance(true), deadline);
          logger.info(where, 'Opencast: H is in maintenance: no new work is sent to it');
        } catch (err) {
          logger.warn(
            { ...where, err },
            'Opencast: could not set maintenance on drain; Opencast notices the service is gone after two failed heartbeats',
          );
        }
      })();
      return drained;
    },
    stop: stopLoop,
    get registered() {
      return registered;
    },
    get hosts() {
      return hosts;
    },
    onHosts(listener) {
      listeners.add(listener);
      if (hosts.length > 0) notify(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

/** `promise`, or a rejection once `ms` have passed (the call itself goes on unobserved). */
async function withDeadline(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
  });
  try {
    await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
