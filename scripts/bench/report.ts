/**
 * The bench's per-round figures and the table made of them. Pure: it formats what the
 * bench measured.
 */
import { median, roundDifferences, roundRatios, spread, type Spread } from './stats.js';

/** Per-round figures by series name (`<case>/<contender>/<metric>`); a hole is NaN. */
export class Results {
  readonly #series = new Map<string, number[]>();

  set(series: string, round: number, value: number): void {
    const values = this.#series.get(series) ?? [];
    while (values.length < round) values.push(NaN);
    values[round] = value;
    this.#series.set(series, values);
  }

  get(series: string): number[] {
    return [...(this.#series.get(series) ?? [])];
  }

  toJSON(): Record<string, number[]> {
    return Object.fromEntries(this.#series);
  }
}

/** A target: the comparison or the service's own figure against a bound. */
export interface Target {
  readonly on: 'ratio' | 'difference' | 'service';
  readonly op: '>=' | '<=';
  readonly bound: number;
}

/** One line of the table: a service series beside a baseline series. */
export interface RowSpec {
  readonly label: string;
  readonly service: string;
  readonly baseline: string;
  /** Unit of the two figures, e.g. `MiB/s`. */
  readonly unit: string;
  /** How the two compare per round: service / baseline, or service - baseline. */
  readonly compare: 'ratio' | 'difference';
  /** None for a line shown for information. */
  readonly target?: Target;
  /** A note after the target, e.g. `flat`. */
  readonly note?: string;
}

/** A computed line. */
export interface Row {
  readonly spec: RowSpec;
  readonly service: number;
  readonly baseline: number;
  readonly comparison: Spread;
  readonly rounds: number;
  /** Undefined when there is nothing to judge (no complete round). */
  readonly met: boolean | undefined;
}

/** Medians and the per-round comparison of `spec`; judged on the medians. */
export function computeRow(results: Results, spec: RowSpec): Row {
  const service = results.get(spec.service);
  const baseline = results.get(spec.baseline);
  const perRound =
    spec.compare === 'ratio' ? roundRatios(service, baseline) : roundDifferences(service, baseline);
  const comparison = spread(perRound);
  const serviceMedian = median(service.filter(Number.isFinite));
  const { target } = spec;
  const judged =
    target === undefined
      ? NaN
      : target.on === 'service'
        ? serviceMedian
        : target.on === spec.compare
          ? comparison.median
          : NaN;
  const met =
    target !== undefined && Number.isFinite(judged)
      ? target.op === '>='
        ? judged >= target.bound
        : judged <= target.bound
      : undefined;
  return {
    spec,
    service: serviceMedian,
    baseline: median(baseline.filter(Number.isFinite)),
    comparison,
    rounds: perRound.length,
    met,
  };
}

/** A number with about three significant digits. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const magnitude = Math.abs(value);
  const digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
  return value.toFixed(digits);
}

function formatComparison(row: Row): string {
  const { median: mid, min, max } = row.comparison;
  if (row.rounds === 0) return 'n/a';
  if (row.spec.compare === 'ratio') {
    return `${mid.toFixed(2)} (${min.toFixed(2)}–${max.toFixed(2)})`;
  }
  const signed = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;
  return `${signed(mid)} ${row.spec.unit} (${signed(min)}–${signed(max)})`;
}

function formatTarget(spec: RowSpec): string {
  const { target } = spec;
  if (target === undefined) return '—';
  const op = target.op === '>=' ? '≥' : '≤';
  const bound =
    target.on === 'difference'
      ? `${target.bound >= 0 ? '+' : ''}${target.bound} ${spec.unit}`
      : target.on === 'service'
        ? `${target.bound} ${spec.unit}`
        : target.bound.toFixed(2);
  const what = target.on === 'service' ? 'service ' : '';
  return `${what}${op} ${bound}${spec.note === undefined ? '' : `, ${spec.note}`}`;
}

/** The Markdown table of `rows`. */
export function renderTable(rows: readonly Row[]): string {
  const lines = [
    '| case | service | baseline | per-round ratio: median (min–max) | rounds | target | met? |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const met =
      row.spec.target === undefined
        ? '—'
        : row.met === undefined
          ? 'n/a'
          : row.met
            ? 'yes'
            : '**no**';
    lines.push(
      `| ${row.spec.label} | ${formatNumber(row.service)} ${row.spec.unit} | ` +
        `${formatNumber(row.baseline)} ${row.spec.unit} | ${formatComparison(row)} | ` +
        `${row.rounds} | ${formatTarget(row.spec)} | ${met} |`,
    );
  }
  return lines.join('\n');
}
