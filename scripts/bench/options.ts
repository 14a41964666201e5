/**
 * The bench's settings: quick or full defaults, each overridable by a BENCH_* variable.
 * Pure (takes the environment and arguments as values), so it has unit tests.
 */

/** The groups of cases; BENCH_CASES picks some. */
export const CASE_GROUPS = ['large', 'small', 'accepts', 'idle'] as const;
export type CaseGroup = (typeof CASE_GROUPS)[number];

/** Everything the bench's runs depend on. */
export interface BenchOptions {
  readonly quick: boolean;
  readonly cases: readonly CaseGroup[];
  /** Rounds of the small, accepts and idle cases. */
  readonly rounds: number;
  /** Rounds of the large-file cases (they take longest). */
  readonly largeRounds: number;
  readonly largeMiB: readonly number[];
  readonly smallKiB: number;
  /** Elements per round of the concurrent small case. */
  readonly smallCount: number;
  /** Sync calls per round of the sequential small case. */
  readonly sequentialCount: number;
  /** Async requests per round. */
  readonly acceptCount: number;
  /** Concurrent callers of the small and accepts cases. */
  readonly concurrency: number;
  /** Include the `aws s3 cp` baseline (when the aws command exists). */
  readonly awsCli: boolean;
}

const QUICK = {
  rounds: 3,
  largeRounds: 3,
  largeMiB: [64, 256],
  smallCount: 200,
  sequentialCount: 30,
  acceptCount: 1000,
};
const FULL = {
  rounds: 5,
  largeRounds: 3,
  largeMiB: [256, 1024, 4096],
  smallCount: 500,
  sequentialCount: 100,
  acceptCount: 5000,
};

/** Reads the options; throws an Error naming the variable for a bad value. */
export function benchOptions(
  env: Readonly<Record<string, string | undefined>>,
  args: readonly string[],
): BenchOptions {
  const unknown = args.filter((arg) => arg !== '--quick');
  if (unknown.length > 0) throw new Error(`Unknown bench argument(s): ${unknown.join(' ')}`);
  const quick = args.includes('--quick') || flag(env, 'BENCH_QUICK', false);
  const defaults = quick ? QUICK : FULL;
  return {
    quick,
    cases: caseList(env.BENCH_CASES),
    rounds: count(env, 'BENCH_ROUNDS', defaults.rounds, 1, 1000),
    largeRounds: count(env, 'BENCH_LARGE_ROUNDS', defaults.largeRounds, 1, 1000),
    largeMiB: sizeList(env.BENCH_LARGE_MB, defaults.largeMiB),
    smallKiB: count(env, 'BENCH_SMALL_KB', 10, 1, 5 * 1024),
    smallCount: count(env, 'BENCH_SMALL_COUNT', defaults.smallCount, 1, 1_000_000),
    sequentialCount: count(env, 'BENCH_SEQUENTIAL_COUNT', defaults.sequentialCount, 1, 100_000),
    acceptCount: count(env, 'BENCH_ACCEPT_COUNT', defaults.acceptCount, 1, 10_000_000),
    concurrency: count(env, 'BENCH_CONCURRENCY', 50, 1, 1000),
    awsCli: flag(env, 'BENCH_AWSCLI', true),
  };
}

function flag(env: Readonly<Record<string, string | undefined>>, name: string, def: boolean) {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  throw new Error(`${name} must be 1/true or 0/false, got ${JSON.stringify(raw)}`);
}

function count(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  def: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new Error(
      `${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

function sizeList(raw: string | undefined, def: readonly number[]): readonly number[] {
  if (raw === undefined || raw === '') return def;
  const sizes = raw.split(',').map((part) => part.trim());
  // 5 TiB is S3's largest object.
  if (
    sizes.some((size) => !/^\d+$/.test(size) || Number(size) < 1 || Number(size) > 5 * 1024 * 1024)
  ) {
    throw new Error(
      `BENCH_LARGE_MB must be comma-separated sizes in MiB (1 to 5242880), got ${JSON.stringify(raw)}`,
    );
  }
  return [...new Set(sizes.map(Number))].sort((a, b) => a - b);
}

function caseList(raw: string | undefined): readonly CaseGroup[] {
  if (raw === undefined || raw === '') return CASE_GROUPS;
  const names = raw.split(',').map((part) => part.trim());
  const bad = names.filter((name) => !(CASE_GROUPS as readonly string[]).includes(name));
  if (bad.length > 0 || names.length === 0) {
    throw new Error(
      `BENCH_CASES must list some of ${CASE_GROUPS.join(',')}, got ${JSON.stringify(raw)}`,
    );
  }
  return CASE_GROUPS.filter((group) => names.includes(group));
}
