import { AppError } from '../errors.js';

/** Where an organization's elements go: its bucket and the public base URL of that bucket. */
export interface DistributionTarget {
  readonly bucket: string;
  readonly baseUrl: string;
}

/** Finds the target of an organization; throws NO_BUCKET when none is configured. */
export type TargetResolver = (organization: string) => DistributionTarget;

/**
 * Per-organization targets with a default, as Opencast's per-organization bucket keys do
 * (docs/opencast-wire-spec.md §5.1): the organization's own entry first, then the default.
 */
export function createTargetResolver(
  byOrganization: ReadonlyMap<string, DistributionTarget>,
  fallback: DistributionTarget | undefined,
): TargetResolver {
  return (organization) => {
    const target = byOrganization.get(organization) ?? fallback;
    if (target === undefined) {
      throw new AppError('NO_BUCKET', `No bucket configured for organization ${organization}`);
    }
    return target;
  };
}
