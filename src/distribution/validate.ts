import type { CommandRequest } from '../contract/command.js';
import { planDistribution, type DistributionDeps } from './distribute.js';
import { planRetract } from './retract.js';

/**
 * Checks a request as far as possible without I/O, so the HTTP adapter can refuse a bad
 * one before anything is published. It needs no job id: the job service makes the command.
 * Workers run the same checks again.
 */
export function validateRequest(
  request: CommandRequest,
  deps: Pick<DistributionDeps, 'sources' | 'targets' | 'xmlLimits'>,
): void {
  if (request.type === 'distribute') planDistribution(request, deps);
  else planRetract(request, deps);
}
