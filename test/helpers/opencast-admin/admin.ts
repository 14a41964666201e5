/**
 * An in-process test double of Opencast's admin node, written from
 * docs/opencast-cluster-protocol.md: the service registry REST API behind Digest security,
 * the heartbeat, the job dispatcher and a JobBarrier, plus controls for fault tests.
 *
 * @example
 * const oc = await startOpencastAdmin({ systemUser, systemPassword, dispatchIntervalMs: 100 });
 * // point the service at oc.url, let it register, then:
 * const { status, payload } = await oc.waitForJob(id, { intervalMs: 50 });
 */
import { getRequestListener } from '@hono/node-server';
import { createAdminApp } from './app.js';
import type { AdminUser } from './auth.js';
import { waitForJob, type BarrierResult } from './barrier.js';
import { dispatchRound } from './dispatcher.js';
import { Faults } from './faults.js';
import { heartbeatRound } from './heartbeat.js';
import { restartableListener } from './listener.js';
import { fixedDelayLoop, type Loop } from './loop.js';
import { Tables } from './tables.js';

/** Options of {@link startOpencastAdmin}. */
export interface OpencastAdminOptions {
  /** The Digest system account; it gets ROLE_ADMIN and ROLE_SUDO. */
  systemUser: string;
  systemPassword: string;
  /** More users by name, e.g. one without ROLE_ADMIN to test refusals. */
  users?: Record<string, AdminUser>;
  /** Dispatcher round delay; omitted = rounds only on `dispatchNow()`. */
  dispatchIntervalMs?: number;
  /** Heartbeat round delay; omitted = rounds only on `heartbeatNow()`. */
  heartbeatIntervalMs?: number;
}

/** A running double. */
export interface OpencastAdmin {
  /** `http://127.0.0.1:<port>` without a trailing slash; stable across stop/start. */
  readonly url: string;
  /** Hosts, registrations, jobs, incidents and the call log, to inspect or arrange. */
  readonly tables: Tables;
  readonly faults: Faults;
  heartbeatNow(): Promise<void>;
  dispatchNow(): Promise<void>;
  waitForJob(
    id: number,
    opts?: { intervalMs?: number; signal?: AbortSignal },
  ): Promise<BarrierResult>;
  /** Stops listening and pauses the loops (a registry outage); hanging calls are released. */
  stop(): Promise<void>;
  /** Listens again on the same port; `wipe` empties the tables first (a fresh database). */
  start(opts?: { wipe?: boolean }): Promise<void>;
  close(): Promise<void>;
}

/** Starts the double on a free loopback port. */
export async function startOpencastAdmin(opts: OpencastAdminOptions): Promise<OpencastAdmin> {
  const tables = new Tables();
  const faults = new Faults();
  const users = new Map(Object.entries(opts.users ?? {}));
  users.set(opts.systemUser, { password: opts.systemPassword, roles: ['ROLE_ADMIN', 'ROLE_SUDO'] });
  const creds = { user: opts.systemUser, password: opts.systemPassword };
  const listener = restartableListener(
    getRequestListener(createAdminApp(tables, users, faults, () => listener.url).fetch),
  );
  const watch = new Set<string>();
  let loops: Loop[] = [];
  let aborter = new AbortController();

  const start = async (o: { wipe?: boolean } = {}) => {
    if (o.wipe === true) tables.wipe();
    await listener.listen();
    aborter = new AbortController();
    const signal = aborter.signal;
    loops = [
      fixedDelayLoop(() => heartbeatRound(tables, creds, watch, signal), opts.heartbeatIntervalMs),
      fixedDelayLoop(() => dispatchRound(tables, creds, signal), opts.dispatchIntervalMs),
    ];
  };
  const stop = async () => {
    aborter.abort();
    faults.releaseHangs();
    await Promise.all(loops.map((l) => l.stop()));
    await listener.stop();
  };
  await start();

  return {
    get url() {
      return listener.url;
    },
    tables,
    faults,
    heartbeatNow: () => loops[0]?.runNow() ?? Promise.resolve(),
    dispatchNow: () => loops[1]?.runNow() ?? Promise.resolve(),
    waitForJob: (id, o) => waitForJob(tables, id, o),
    stop,
    start,
    close: stop,
  };
}
