/**
 * Pure statistics of the benchmark: per-round ratios and their spread, percentiles, and the
 * order in which a case and its baselines take turns. No I/O, so it has unit tests.
 */

/** Median, smallest and largest of some values. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** The median (mean of the two middle values for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? NaN) + upper) / 2;
}

/** Nearest-rank percentile (`p` in 0..100); NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be 0..100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? NaN;
}

/** Median, min and max; all NaN for no values. */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { median: NaN, min: NaN, max: NaN };
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * The ratio of each round's service figure to the same round's baseline figure. Rounds
 * where either is missing (not a finite number) or the baseline is 0 are left out, so a
 * skipped or failed run never shows as a ratio.
 */
export function roundRatios(service: readonly number[], baseline: readonly number[]): number[] {
  const ratios: number[] = [];
  const rounds = Math.min(service.length, baseline.length);
  for (let i = 0; i < rounds; i++) {
    const s = service[i] ?? NaN;
    const b = baseline[i] ?? NaN;
    if (Number.isFinite(s) && Number.isFinite(b) && b !== 0) ratios.push(s / b);
  }
  return ratios;
}

/** The per-round differences service - baseline (for latency targets such as "+3 ms"). */
export function roundDifferences(
  service: readonly number[],
  baseline: readonly number[],
): number[] {
  const differences: number[] = [];
  const rounds = Math.min(service.length, baseline.length);
  for (let i = 0; i < rounds; i++) {
    const s = service[i] ?? NaN;
    const b = baseline[i] ?? NaN;
    if (Number.isFinite(s) && Number.isFinite(b)) differences.push(s - b);
  }
  return differences;
}

/**
 * The order in which the contenders of one case run in round `round`: rotated by one each
 * round, so that each goes first equally often and whatever warms up or slows down the
 * machine in the course of a round falls on all of them alike.
 */
export function turnOrder<T>(contenders: readonly T[], round: number): T[] {
  const n = contenders.length;
  if (n === 0) return [];
  const shift = ((round % n) + n) % n;
  return [...contenders.slice(shift), ...contenders.slice(0, shift)];
}
