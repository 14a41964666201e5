/** Looks up the credentials configured for a source URL. Pure. */
import type { SourceCredential } from './source-credential.js';
import type { SourceSettings } from './source-settings.js';
import { parseUrlPrefix, pathAfterPrefix } from './url-prefix.js';

/**
 * The credentials of the longest configured prefix that covers `url`, if any. The prefix
 * includes the scheme, so credentials given for https are never used for http.
 */
export function findCredentials(url: URL, settings: SourceSettings): SourceCredential | undefined {
  let best: { readonly length: number; readonly credentials: SourceCredential } | undefined;
  for (const entry of settings.credentials) {
    const prefix = parseUrlPrefix(entry.urlPrefix);
    if (prefix === undefined || pathAfterPrefix(url, prefix) === undefined) continue;
    if (best === undefined || prefix.path.length > best.length) {
      best = { length: prefix.path.length, credentials: entry };
    }
  }
  return best?.credentials;
}
