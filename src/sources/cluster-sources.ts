/**
 * Sources of an Opencast cluster (issue 7, protocol §2): the working-file repository
 * (`/files/`) and asset manager (`/assets/`) of every registered host are allowed, and the
 * system account's credentials are answered to them and to nothing else. Pure.
 */
import type { SourceCredential } from './source-credential.js';
import type { SourceSettings } from './source-settings.js';
import { formatUrlPrefix, parseUrlPrefix } from './url-prefix.js';

/** The paths of an Opencast node that serve element files. */
export const CLUSTER_SOURCE_PATHS = ['/files/', '/assets/'] as const;

/** A user name and password (Opencast's Digest system account). */
export interface ClusterAccount {
  readonly username: string;
  readonly password: string;
}

/** The `/files/` and `/assets/` prefixes of `hosts`; hosts that are not http(s) URLs are skipped. */
export function clusterPrefixes(hosts: readonly string[]): {
  readonly prefixes: string[];
  readonly skipped: string[];
} {
  const prefixes: string[] = [];
  const skipped: string[] = [];
  for (const host of hosts) {
    const base = parseUrlPrefix(host);
    if (base === undefined) {
      skipped.push(host);
      continue;
    }
    for (const path of CLUSTER_SOURCE_PATHS) {
      prefixes.push(formatUrlPrefix({ origin: base.origin, path: `${base.path}${path}` }));
    }
  }
  return { prefixes: [...new Set(prefixes)], skipped };
}

/**
 * `base` plus the cluster prefixes: allowed, and with the account's credentials. Configured
 * credentials come first, so on a prefix of equal length the admin's own entry wins.
 */
export function withClusterSources(
  base: SourceSettings,
  prefixes: readonly string[],
  account: ClusterAccount | undefined,
): SourceSettings {
  const credentials: SourceCredential[] =
    account === undefined
      ? []
      : prefixes.map((urlPrefix) => ({
          urlPrefix,
          username: account.username,
          password: account.password,
        }));
  return {
    ...base,
    allowedUrlPrefixes: [...base.allowedUrlPrefixes, ...prefixes],
    credentials: [...base.credentials, ...credentials],
  };
}

/** What may be read, for the start-up log: prefixes and roots, never user names or passwords. */
export function describeSources(settings: SourceSettings): Record<string, unknown> {
  return {
    allowedUrlPrefixes: settings.allowedUrlPrefixes,
    sharedStorage: settings.sharedStorage.map((s) => `${s.urlPrefix} -> ${s.directory}`),
    fileRoots: settings.fileRoots,
    credentialsSentTo: settings.credentials.map((c) => c.urlPrefix),
  };
}
