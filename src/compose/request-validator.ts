import type { CommandRequest } from '../contract/command.js';
import type { DistributionDeps } from '../distribution/distribute.js';
import { validateRequest } from '../distribution/validate.js';
import type { MediapackageParser } from '../http/mediapackage-parser.js';

/**
 * The API's check of a request: the mediapackage is parsed once, by the parser (off the
 * event loop when it is large), then the use case checks the request against it.
 */
export function createRequestValidator(
  distribution: Pick<DistributionDeps, 'sources' | 'targets' | 'xmlLimits'>,
  parser: MediapackageParser,
): (request: CommandRequest) => Promise<void> {
  return async (request) => {
    const parsed = await parser.parse(request.mediapackage, request.elementIds);
    validateRequest(request, distribution, parsed);
  };
}
