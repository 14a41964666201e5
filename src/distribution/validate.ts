import type { Command } from './command.js';
import { planDistribution, type DistributionDeps } from './distribute.js';
import { planRetract } from './retract.js';

/**
 * Checks a command as far as possible without I/O, so the HTTP adapter can refuse a bad
 * request before anything is published. Workers run the same checks again.
 */
export function validateCommand(
  command: Command,
  deps: Pick<DistributionDeps, 'sources' | 'targets' | 'xmlLimits'>,
): void {
  if (command.type === 'distribute') planDistribution(command, deps);
  else planRetract(command, deps);
}
