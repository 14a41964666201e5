import type { CommandRequest } from '../contract/command.js';
import type { MediaPackage } from '../opencast/model.js';
import { planDistribution, type DistributionDeps } from './distribute.js';
import { planRetract } from './retract.js';

/**
 * Checks a request as far as possible without I/O, so the HTTP adapter can refuse a bad
 * one before anything is published. It needs no job id: the job service makes the command.
 * Workers run the same checks again. `parsed`: the mediapackage, when the caller parsed it
 * already (off the event loop), so it is parsed once per request.
 */
export function validateRequest(
  request: CommandRequest,
  deps: Pick<DistributionDeps, 'sources' | 'targets' | 'xmlLimits'>,
  parsed?: MediaPackage,
): void {
  if (request.type === 'distribute') planDistribution(request, deps, parsed);
  else planRetract(request, deps, parsed);
}
