/**
 * Opencast mode (issue 7): the registry client, built once from `config.opencast`, and the
 * membership of H, whose host list feeds the source fetcher.
 *
 * Which processes are members: those that serve the HTTP API (roles `all` and `api`),
 * because registering H tells Opencast that H answers `/distribution/s3` and its heartbeat
 * `HEAD /distribution/s3/dispatch`. A worker-only process serves no such route, and if it
 * registered or drained H it would bring H online while no API runs, or put it into
 * maintenance while the API replicas still serve. Worker-only processes are observers:
 * they read the host list (their source fetcher needs it) and never change the registry's
 * host or service rows.
 */
import type { Logger } from 'pino';
import type { Config, OpencastSettings } from '../config.js';
import { createMembership, type Membership } from '../opencast-cluster/membership.js';
import { RegistryClient } from '../opencast-cluster/registry-client.js';
import type { ClusterSourceFetcher } from '../sources/source-fetcher.js';
import type { Closers } from './closers.js';

/** The parts of Opencast mode other roles connect to (job creation, updates, dispatch). */
export interface OpencastCluster {
  readonly settings: OpencastSettings;
  /** The one client of the admin node's registry, for H. */
  readonly registry: RegistryClient;
  /** Registration state and the cluster's host list (`membership.onHosts`). */
  readonly membership: Membership;
}

/** The registry client of `settings`: the admin node, the system account and H. */
export function buildRegistryClient(settings: OpencastSettings): RegistryClient {
  return new RegistryClient({
    baseUrl: settings.url,
    username: settings.user,
    password: settings.password,
    host: settings.hostUrl,
    timeoutMs: settings.timeoutMs,
  });
}

/** Builds Opencast mode's parts when `config.opencast` is set; nothing is sent yet. */
export function buildOpencastCluster(config: Config, logger: Logger): OpencastCluster | undefined {
  const settings = config.opencast;
  if (settings === undefined) return undefined;
  const registry = buildRegistryClient(settings);
  const membership = createMembership({
    registry,
    settings,
    logger: logger.child({ component: 'opencast-membership' }),
    mode: config.runsApi ? 'member' : 'observer',
  });
  return { settings, registry, membership };
}

/**
 * Starts membership in the background (an unreachable registry does not stop the service)
 * and feeds the cluster's hosts, except H itself, to the source fetcher. Call it once the
 * HTTP adapter listens, so Opencast's first heartbeat finds it; its closer is registered
 * last, so on close it runs first: H goes into maintenance before HTTP stops.
 */
export function startOpencastCluster(
  cluster: OpencastCluster,
  sources: ClusterSourceFetcher | undefined,
  closers: Closers,
): void {
  const { membership, settings } = cluster;
  if (sources !== undefined) {
    membership.onHosts((hosts) => {
      sources.setClusterHosts(hosts.filter((host) => host !== settings.hostUrl));
    });
  }
  void membership.start();
  closers.push(() => membership.drain());
}

/**
 * Reads the cluster's host list once, before a worker takes commands: a command redelivered
 * to a worker that just started would otherwise find the nodes' `/files/` URLs "not allowed
 * yet" and fail its job. Bounded by the registry timeout (at most 10 s); a registry that
 * does not answer is logged, and membership's loop delivers the list later.
 */
export async function primeClusterHosts(
  cluster: OpencastCluster,
  sources: ClusterSourceFetcher | undefined,
  logger: Logger,
): Promise<void> {
  if (sources === undefined) return;
  const { registry, settings } = cluster;
  const limitMs = Math.min(settings.timeoutMs, 10_000);
  let timer: NodeJS.Timeout | undefined;
  try {
    const hosts = await Promise.race([
      registry.listHosts(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`no answer within ${limitMs} ms`));
        }, limitMs);
      }),
    ]);
    sources.setClusterHosts(hosts.filter((host) => host !== settings.hostUrl));
  } catch (err) {
    logger.warn(
      { err },
      "could not read the cluster's hosts before taking commands; sources on Opencast nodes are refused until membership reads them",
    );
  } finally {
    clearTimeout(timer);
  }
}
