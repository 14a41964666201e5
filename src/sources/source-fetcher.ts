/** The SourceFetcher port: allow-list first, then shared storage, `file:` or http(s). */
import type { SourceFetcher } from '../distribution/ports.js';
import { AppError } from '../errors.js';
import { checkSourceUrl, type SourceRoute } from './allow-list.js';
import { describeUrl } from './describe-url.js';
import { openHttpSource } from './http-source.js';
import { openLocalFile } from './open-local-file.js';
import { normalizeSourceSettings, type SourceSettings } from './source-settings.js';

/**
 * Creates the fetcher. Settings are validated once, here.
 * @throws AppError INVALID_INPUT for invalid settings.
 */
export function createSourceFetcher(input: SourceSettings): SourceFetcher {
  const settings = normalizeSourceSettings(input);

  function route(url: string): SourceRoute {
    const decision = checkSourceUrl(url, settings);
    if (!decision.allowed) {
      throw new AppError(
        'SOURCE_FORBIDDEN',
        `Source URL ${describeUrl(url)} is not allowed: ${decision.reason}`,
      );
    }
    return decision.route;
  }

  return {
    assertAllowed(url) {
      route(url);
    },
    async open(url, signal) {
      const target = route(url);
      if (signal?.aborted === true) {
        throw new AppError('SOURCE_UNAVAILABLE', `Opening source ${describeUrl(url)} was aborted`, {
          cause: signal.reason,
        });
      }
      return target.kind === 'http'
        ? openHttpSource(target.url, settings, signal)
        : openLocalFile(target.root, target.path, {
            description: describeUrl(url),
            idleTimeoutMs: settings.readTimeoutMs,
            refuseHardlinks: target.refuseHardlinks,
            signal,
          });
    },
  };
}
