import { describe, expect, it } from 'vitest';
import { computeRow, renderTable, Results, type RowSpec } from '../../../scripts/bench/report.js';

function results(series: Record<string, number[]>): Results {
  const r = new Results();
  for (const [name, values] of Object.entries(series)) {
    values.forEach((value, round) => {
      r.set(name, round, value);
    });
  }
  return r;
}

const throughput: RowSpec = {
  label: 'large',
  service: 's',
  baseline: 'b',
  unit: 'MiB/s',
  compare: 'ratio',
  target: { on: 'ratio', op: '>=', bound: 1 },
};

describe('bench report', () => {
  it('judges the median of the per-round ratios, not the ratio of medians', () => {
    // Medians 100 and 100 (ratio 1), but the per-round ratios are 0.5, 0.9 and 2.
    const row = computeRow(results({ s: [50, 90, 200], b: [100, 100, 100] }), throughput);
    expect(row.comparison).toEqual({ median: 0.9, min: 0.5, max: 2 });
    expect(row.met).toBe(false);
    expect(row.rounds).toBe(3);
  });

  it('judges a latency target on the per-round differences', () => {
    const spec: RowSpec = {
      ...throughput,
      unit: 'ms',
      compare: 'difference',
      target: { on: 'difference', op: '<=', bound: 3 },
    };
    const row = computeRow(results({ s: [12, 13, 20], b: [10, 11, 10] }), spec);
    expect(row.comparison.median).toBe(2);
    expect(row.met).toBe(true);
  });

  it('judges an absolute target on the service median', () => {
    const spec: RowSpec = { ...throughput, target: { on: 'service', op: '<=', bound: 75 } };
    expect(computeRow(results({ s: [70, 80, 74], b: [60, 60, 60] }), spec).met).toBe(true);
  });

  it('judges nothing without complete rounds or without a target', () => {
    const r = results({ s: [NaN, 10], b: [5, NaN] });
    expect(computeRow(r, throughput).met).toBeUndefined();
    const { target: _target, ...information } = throughput;
    const row = computeRow(results({ s: [1], b: [1] }), information);
    expect(row.met).toBeUndefined();
    expect(renderTable([row])).toContain('| — | — |');
  });

  it('renders a row with ratio spread, target and verdict', () => {
    const row = computeRow(results({ s: [50, 90, 200], b: [100, 100, 100] }), throughput);
    expect(renderTable([row]).split('\n')[2]).toBe(
      '| large | 90.0 MiB/s | 100 MiB/s | 0.90 (0.50–2.00) | 3 | ≥ 1.00 | **no** |',
    );
  });
});
