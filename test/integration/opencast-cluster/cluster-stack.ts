/**
 * The whole service as a member of a test Opencast cluster: the admin-node double (registry,
 * heartbeat, dispatcher, barrier) plus the service started in Opencast mode against the real
 * broker and S3 server. Scenario tests drive it only from outside, the way Opencast's nodes
 * do: the remote proxy's requests, the registry's tables and the barrier.
 */
import { randomUUID } from 'node:crypto';
import { readFixture } from '../../helpers/fixtures.js';
import { freePort } from '../../helpers/free-port.js';
import { startOpencastAdmin, type OpencastAdmin } from '../../helpers/opencast-admin/admin.js';
import type { BarrierResult } from '../../helpers/opencast-admin/barrier.js';
import { proxyDistribute, proxyRetract } from '../../helpers/opencast-admin/proxy.js';
import {
  trustedForm,
  trustedRead,
  type Credentials,
  type Exchange,
} from '../../helpers/opencast-admin/trusted-client.js';
import type { Job } from '../../helpers/opencast-admin/types.js';
import type { RunningService } from '../../../src/service.js';
import { startTestStack, type TestStack } from '../../helpers/service.js';
import { waitFor } from '../../helpers/wait-for.js';

/** Opencast's service type and path of the S3 distribution service. */
export const SERVICE_TYPE = 'org.opencastproject.distribution.aws.s3';
export const SERVICE_PATH = '/distribution/s3';
/** The Digest system account shared by the double and the service. */
export const SYSTEM: Credentials = { user: 'opencast_system_account', password: 'CHANGE_ME' };
/** A caller of the service without ROLE_ADMIN or ROLE_SUDO. */
export const TEACHER: Credentials = { user: 'teacher', password: 'teacher-pw' };
export const ORG = 'mh_default_org';

/** What {@link startClusterStack} may vary. */
export interface ClusterStackOptions {
  dispatch?: 'opencast' | 'immediate';
  /** More environment for the service (overrides the defaults below). */
  env?: Record<string, string>;
  /** Double's loops; default 100 ms each. `null` switches a loop off (rounds on demand). */
  heartbeatIntervalMs?: number | null;
  dispatchIntervalMs?: number | null;
  /**
   * Default true: the source server is one of the cluster's nodes (a host row in the
   * registry) and no SOURCE_ALLOWED_PREFIXES is set, so sources are allowed only as an
   * Opencast node's `/files/`. False: the source server is allowed by configuration.
   */
  sourcesOnClusterNode?: boolean;
}

/** A running cluster: the double, the service stack and helpers to call it like Opencast. */
export interface ClusterStack {
  readonly oc: OpencastAdmin;
  readonly stack: TestStack;
  /** H: the host URL under which the cluster reaches the service. */
  readonly hostUrl: string;
  /** `{H}/distribution/s3`, where the remote proxy sends its requests. */
  readonly serviceUrl: string;
  /** The environment the service was started with (to start replicas alike). */
  readonly env: Record<string, string>;
  /** Starts one more service with the same environment plus `extra` (a replica, a worker). */
  startReplica(extra?: Record<string, string>): Promise<RunningService>;
  /** A RUNNING workflow-operation job in the registry, to act as the current job. */
  workflowJob(): number;
  /** The proxy's distribute as the system account for `ORG` and user `admin`. */
  distribute(mp: TestMediapackage, elementIds: string[], extra?: CallExtra): Promise<Exchange>;
  /** The proxy's retract, likewise. */
  retract(mp: TestMediapackage, elementIds: string[], extra?: CallExtra): Promise<Exchange>;
  /**
   * Opencast's JobBarrier on job `id`, polling every 50 ms; fails after `timeoutMs` naming
   * the status the job is stuck in (Opencast's barrier itself would wait forever).
   */
  barrier(id: number, timeoutMs?: number): Promise<BarrierResult>;
  /** The registry's row of job `id`; throws when missing. */
  job(id: number): Job;
  /** A GET/HEAD to the service as an Opencast node (Digest system account). */
  read(method: 'GET' | 'HEAD', path: string): Promise<Exchange>;
  /** A form request to the double's registry as the system account. */
  registry(
    method: 'POST' | 'PUT',
    path: string,
    fields: Array<[string, string]>,
    headers?: Record<string, string>,
  ): Promise<Exchange>;
  close(): Promise<void>;
}

/** Per-call overrides of the proxy's request context. */
export interface CallExtra {
  organization?: string;
  user?: string;
  currentJobId?: number;
  caller?: Credentials;
  checkAvailability?: boolean;
  /** Omit the organization and user headers (a caller acting as itself). */
  noContext?: boolean;
}

/** A mediapackage made from Opencast's fixture, with its own id and source files. */
export interface TestMediapackage {
  readonly id: string;
  readonly xml: string;
  /** Source file name of each element id, as served by the source server. */
  readonly files: Readonly<Record<string, string>>;
}

const FIXTURE_FILES: Record<string, string> = {
  'track-1': 'video-presenter.mp4',
  'presenter-delivery': 'video-presenter-delivery.mp4',
  'episode-dc': 'episode-dublincore.xml',
  'series-dc': 'series-dublincore.xml',
};

/**
 * mediapackage.xml with a fresh id and each element's URL pointing at a unique file name on
 * `sourcesBaseUrl` (so tests sharing a source server and bucket never collide).
 */
export function testMediapackage(sourcesBaseUrl: string): TestMediapackage {
  const id = randomUUID();
  const tag = id.slice(0, 8);
  const files: Record<string, string> = {};
  for (const [element, file] of Object.entries(FIXTURE_FILES)) files[element] = `${tag}-${file}`;
  const xml = readFixture('mediapackage.xml')
    .replace('efd6e4df-63b6-49af-be5f-15f598778877', id)
    .replace(
      /<url>([^<:]+)<\/url>/g,
      (_m, file: string) => `<url>${sourcesBaseUrl}${tag}-${file}</url>`,
    );
  return { id, xml, files };
}

/** Object key Opencast's S3 distribution uses: org/channel/mediapackage/element/file. */
export function objectKey(
  mp: TestMediapackage,
  channel: string,
  element: string,
  org = ORG,
): string {
  return `${org}/${channel}/${mp.id}/${element}/${mp.files[element] ?? ''}`;
}

/** The id in the job XML the service answered (only the id matters to the proxy). */
export function jobIdOf(xml: string): number {
  const id = Number(/<job\b[^>]*\bid="(\d+)"/.exec(xml)?.[1]);
  if (!Number.isSafeInteger(id)) throw new Error(`no job id in: ${xml.slice(0, 300)}`);
  return id;
}

/** Starts the double and the service in Opencast mode, registered by the service itself. */
export async function startClusterStack(opts: ClusterStackOptions = {}): Promise<ClusterStack> {
  const heartbeatIntervalMs =
    opts.heartbeatIntervalMs === undefined ? 100 : opts.heartbeatIntervalMs;
  const dispatchIntervalMs = opts.dispatchIntervalMs === undefined ? 100 : opts.dispatchIntervalMs;
  const oc = await startOpencastAdmin({
    systemUser: SYSTEM.user,
    systemPassword: SYSTEM.password,
    ...(heartbeatIntervalMs === null ? {} : { heartbeatIntervalMs }),
    ...(dispatchIntervalMs === null ? {} : { dispatchIntervalMs }),
  });
  const port = await freePort();
  const hostUrl = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    HTTP_PORT: String(port),
    AUTH_DIGEST_USER: SYSTEM.user,
    AUTH_DIGEST_PASSWORD: SYSTEM.password,
    AUTH_DIGEST_USERS: `${TEACHER.user}:${TEACHER.password}`,
    OPENCAST_URL: oc.url,
    OPENCAST_HOST_URL: hostUrl,
    OPENCAST_DISPATCH: opts.dispatch ?? 'opencast',
    OPENCAST_NODE_NAME: 'scenario',
    OPENCAST_MAX_LOAD: '4',
    OPENCAST_MEMBERSHIP_INTERVAL_MS: '200',
    OPENCAST_TIMEOUT_MS: '5000',
    ...(opts.sourcesOnClusterNode === false ? {} : { SOURCE_ALLOWED_PREFIXES: '' }),
    ...opts.env,
  };
  let stack: TestStack;
  try {
    stack = await startTestStack(env);
  } catch (error) {
    await oc.close();
    throw error;
  }
  if (opts.sourcesOnClusterNode !== false) {
    try {
      await addSourcesNode(oc, stack.sources.baseUrl);
    } catch (error) {
      await stack.close();
      await oc.close();
      throw error;
    }
  }
  const serviceUrl = `${hostUrl}${SERVICE_PATH}`;
  let parentIds = 0;

  const context = (extra: CallExtra) => {
    const caller = extra.caller ?? SYSTEM;
    return {
      digestUser: caller.user,
      digestPassword: caller.password,
      ...(extra.noContext === true
        ? {}
        : { organization: extra.organization ?? ORG, user: extra.user ?? 'admin' }),
      ...(extra.currentJobId === undefined ? {} : { currentJobId: extra.currentJobId }),
    };
  };

  return {
    oc,
    stack,
    hostUrl,
    serviceUrl,
    env,
    startReplica: (extra = {}) => stack.startAnother({ ...env, ...extra }),
    workflowJob: () => {
      // Created straight in the table: Opencast's workflow service, not a producer, owns it.
      const id = 500 + parentIds++;
      oc.tables.jobs.set(id, {
        id,
        version: 1,
        type: 'org.opencastproject.workflow',
        status: 'RUNNING',
        creator: 'admin',
        organization: ORG,
        operation: 'START_OPERATION',
        args: [],
        createdHost: oc.url,
        processingHost: oc.url,
        dateCreated: new Date(),
        queueTime: 0,
        runTime: 0,
        dispatchable: false,
        jobLoad: 0,
      });
      return id;
    },
    distribute: (mp, elementIds, extra = {}) =>
      proxyDistribute(serviceUrl, {
        channelId: 'engage-player',
        mediapackageXml: mp.xml,
        elementIds,
        checkAvailability: extra.checkAvailability ?? false,
        ...context(extra),
      }),
    retract: (mp, elementIds, extra = {}) =>
      proxyRetract(serviceUrl, {
        channelId: 'engage-player',
        mediapackageXml: mp.xml,
        elementIds,
        ...context(extra),
      }),
    barrier: async (id, timeoutMs = 90_000) => {
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        return await oc.waitForJob(id, { intervalMs: 50, signal });
      } catch (error) {
        if (!signal.aborted) throw error;
        const status = oc.tables.jobs.get(id)?.status ?? 'missing';
        throw new Error(`job ${id} is still ${status} after ${timeoutMs} ms`, { cause: error });
      }
    },
    job: (id) => {
      const job = oc.tables.jobs.get(id);
      if (job === undefined) throw new Error(`job ${id} is not in the registry`);
      return job;
    },
    read: (method, path) => trustedRead(method, `${hostUrl}${path}`, SYSTEM),
    registry: (method, path, fields, headers = {}) =>
      trustedForm(method, `${oc.url}${path}`, fields, headers, SYSTEM),
    close: async () => {
      try {
        await stack.close();
      } finally {
        await oc.close();
      }
    },
  };
}

/**
 * Registers the source server's origin as an Opencast node (a worker that serves `/files/`)
 * and waits until the service has read the host list since.
 */
async function addSourcesNode(oc: OpencastAdmin, sourcesBaseUrl: string): Promise<void> {
  const origin = new URL(sourcesBaseUrl).origin;
  oc.tables.hosts.set(origin, {
    baseUrl: origin,
    address: '127.0.0.1',
    nodeName: 'worker-with-files',
    memory: 1024 ** 3,
    cores: 2,
    maxLoad: 2,
    online: true,
    active: true,
    maintenance: false,
  });
  const mark = oc.tables.calls.length;
  const deadline = Date.now() + 20_000;
  while (
    !oc.tables.calls
      .slice(mark)
      .some((call) => call.path === '/services/hosts.xml' && call.status === 200)
  ) {
    if (Date.now() > deadline) throw new Error('the service never read the cluster host list');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Jobs of the service's type in the registry. */
export function serviceJobs(oc: OpencastAdmin): Job[] {
  return [...oc.tables.jobs.values()].filter((j) => j.type === SERVICE_TYPE);
}

/** Waits until the registry lists the service online at the stack's host (20 s at most). */
export async function serviceRegistered(c: ClusterStack): Promise<void> {
  await waitFor(
    () => c.oc.tables.registration(SERVICE_TYPE, c.hostUrl)?.online === true,
    20_000,
    'the service registration',
  );
}
