/**
 * An in-process test double of Opencast's admin node, written from
 * docs/opencast-cluster-protocol.md: the service registry REST API with Digest security, the
 * heartbeat, the job dispatcher and a JobBarrier, plus controls for fault tests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createAdminApp } from './app.js';
import type { AdminUser } from './auth.js';
import { waitForJob, type BarrierResult } from './barrier.js';
import { dispatchRound } from './dispatcher.js';
import { Faults } from './faults.js';
import { heartbeatRound } from './heartbeat.js';
import { fixedDelayLoop, type Loop } from './loop.js';
import { Tables } from './tables.js';

/** Options of {@link startOpencastAdmin}. */
export interface OpencastAdminOptions {
  /** The Digest system account; it gets ROLE_ADMIN and ROLE_SUDO. */
  systemUser: string;
  systemPassword: string;
  /** More users, e.g. one without ROLE_ADMIN to test refusals. */
  users?: Record<string, AdminUser>;
  /** Dispatcher round interval; omitted = dispatch only on `dispatchNow()`. */
  dispatchIntervalMs?: number;
  /** Heartbeat round interval; omitted = heartbeat only on `heartbeatNow()`. */
  heartbeatIntervalMs?: number;
}

/** A running double. */
export interface OpencastAdmin {
  /** `http://127.0.0.1:<port>` without a trailing slash. */
  readonly url: string;
  /** hosts, registrations, jobs, incidents and the call log. */
  readonly tables: Tables;
  readonly faults: Faults;
  heartbeatNow(): Promise<void>;
  dispatchNow(): Promise<void>;
  waitForJob(
    id: number,
    opts?: { intervalMs?: number; signal?: AbortSignal },
  ): Promise<BarrierResult>;
  /** Stops listening (a registry outage); the loops pause too. */
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
  let url = '';
  let port = 0;
  const listener = getRequestListener(createAdminApp(tables, users, faults, () => url).fetch);
  let server: Server | undefined;
  let loops: Loop[] = [];
  let aborter = new AbortController();
  const watch = new Set<string>();

  const start = async (o: { wipe?: boolean } = {}) => {
    if (o.wipe === true) tables.wipe();
    const s = createServer((req, res) => {
      // No keep-alive: a client socket pooled before stop() would otherwise be reused after
      // start() and fail at random; fault tests need restarts to be deterministic.
      res.setHeader('Connection', 'close');
      // The adaptor's listener returns a promise; node:http ignores it, so drop it explicitly.
      void listener(req, res);
    });
    await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
    port = (s.address() as AddressInfo).port;
    url = `http://127.0.0.1:${port}`;
    server = s;
    aborter = new AbortController();
    const signal = aborter.signal;
    loops = [
      fixedDelayLoop(() => heartbeatRound(tables, creds, watch), opts.heartbeatIntervalMs),
      fixedDelayLoop(() => dispatchRound(tables, creds, signal), opts.dispatchIntervalMs),
    ];
  };
  const stop = async () => {
    aborter.abort();
    faults.releaseHangs();
    await Promise.all(loops.map((l) => l.stop()));
    const s = server;
    server = undefined;
    if (s === undefined) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => {
      s.close(() => {
        resolve();
      });
    });
  };
  await start();

  return {
    get url() {
      return url;
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
