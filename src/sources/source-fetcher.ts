/** The SourceFetcher port: allow-list first, then shared storage, `file:` or http(s). */
import type { SourceFetcher } from '../distribution/ports.js';
import { AppError } from '../errors.js';
import { checkSourceUrl, type SourceRoute } from './allow-list.js';
import {
  CLUSTER_SOURCE_PATHS,
  clusterPrefixes,
  describeSources,
  withClusterSources,
  type ClusterAccount,
} from './cluster-sources.js';
import { describeUrl } from './describe-url.js';
import { openHttpSource } from './http-source.js';
import { openLocalFile } from './open-local-file.js';
import { normalizeSourceSettings, type SourceSettings } from './source-settings.js';

/** What the fetcher logs (pino fits). */
export interface SourceLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** Opencast mode of the fetcher. */
export interface SourceFetcherOptions {
  /**
   * Opencast's system account. When set (Opencast mode), the `/files/` and `/assets/` URLs
   * of the cluster's hosts ({@link ClusterSourceFetcher.setClusterHosts}) are allowed and
   * get these credentials; no other URL ever does.
   */
  readonly clusterAccount?: ClusterAccount | undefined;
  /** Hosts known before the first host list, e.g. the admin node. */
  readonly clusterHosts?: readonly string[] | undefined;
  readonly logger?: SourceLogger | undefined;
}

/** A fetcher that follows the cluster's host list. */
export interface ClusterSourceFetcher extends SourceFetcher {
  /** Replaces the cluster hosts whose `/files/` and `/assets/` are allowed. */
  setClusterHosts(hosts: readonly string[]): void;
}

/**
 * Creates the fetcher. Settings are validated once, here.
 * @throws AppError INVALID_INPUT for invalid settings.
 */
export function createSourceFetcher(
  input: SourceSettings,
  options: SourceFetcherOptions = {},
): ClusterSourceFetcher {
  const base = normalizeSourceSettings(input);
  const { clusterAccount: account, logger } = options;
  const opencastMode = account !== undefined;
  let settings = base;
  let hostsListed = false;

  function apply(hosts: readonly string[]): void {
    const { prefixes, skipped } = clusterPrefixes(hosts);
    settings = normalizeSourceSettings(withClusterSources(base, prefixes, account));
    if (skipped.length > 0) {
      logger?.warn(
        { hosts: skipped },
        'sources: cluster hosts that are not http(s) URLs are ignored',
      );
    }
    logger?.info(
      { ...describeSources(settings), clusterPrefixes: prefixes },
      'sources: allowed (the system account goes only to credentialsSentTo)',
    );
  }

  if (opencastMode) apply(options.clusterHosts ?? []);
  else logger?.info(describeSources(settings), 'sources: allowed');

  function route(url: string): SourceRoute {
    const decision = checkSourceUrl(url, settings);
    if (!decision.allowed) {
      // Before the first host list, a node's /files/ URL may just not be known yet.
      if (opencastMode && !hostsListed && isClusterPath(url)) {
        throw new AppError(
          'SOURCE_UNAVAILABLE',
          `Source URL ${describeUrl(url)} is not allowed yet: the cluster's host list has not been read from Opencast`,
        );
      }
      throw new AppError(
        'SOURCE_FORBIDDEN',
        `Source URL ${describeUrl(url)} is not allowed: ${decision.reason}`,
      );
    }
    return decision.route;
  }

  return {
    setClusterHosts(hosts) {
      if (!opencastMode) return;
      hostsListed = true;
      apply([...(options.clusterHosts ?? []), ...hosts]);
    },
    assertAllowed(url) {
      route(url);
    },
    async open(url, signal) {
      // One snapshot per fetch: redirects and credentials use the same host list.
      const current = settings;
      const target = route(url);
      if (signal?.aborted === true) {
        throw new AppError('SOURCE_UNAVAILABLE', `Opening source ${describeUrl(url)} was aborted`, {
          cause: signal.reason,
        });
      }
      return target.kind === 'http'
        ? openHttpSource(target.url, current, signal)
        : openLocalFile(target.root, target.path, {
            description: describeUrl(url),
            idleTimeoutMs: current.readTimeoutMs,
            signal,
          });
    },
  };
}

function isClusterPath(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const { pathname } = new URL(url);
  return CLUSTER_SOURCE_PATHS.some((path) => pathname.includes(path));
}
