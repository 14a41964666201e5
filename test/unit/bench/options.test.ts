import { describe, expect, it } from 'vitest';
import { benchOptions, CASE_GROUPS } from '../../../scripts/bench/options.js';

describe('bench options', () => {
  it('runs the full mode by default, with 4 GiB', () => {
    const options = benchOptions({}, []);
    expect(options.quick).toBe(false);
    expect(options.largeMiB).toEqual([256, 1024, 4096]);
    expect(options.cases).toEqual(CASE_GROUPS);
    expect(options.concurrency).toBe(50);
    expect(options.smallKiB).toBe(10);
  });

  it('takes the quick mode from --quick or BENCH_QUICK, with small sizes', () => {
    for (const options of [benchOptions({}, ['--quick']), benchOptions({ BENCH_QUICK: '1' }, [])]) {
      expect(options.quick).toBe(true);
      expect(Math.max(...options.largeMiB)).toBeLessThanOrEqual(256);
      expect(options.rounds).toBeLessThanOrEqual(3);
    }
    expect(benchOptions({ BENCH_QUICK: 'false' }, []).quick).toBe(false);
  });

  it('lets variables override sizes, rounds and cases; sizes sorted and unique', () => {
    const options = benchOptions(
      { BENCH_LARGE_MB: '1024, 256,256', BENCH_ROUNDS: '7', BENCH_CASES: 'idle,large' },
      ['--quick'],
    );
    expect(options.largeMiB).toEqual([256, 1024]);
    expect(options.rounds).toBe(7);
    expect(options.cases).toEqual(['large', 'idle']);
  });

  it.each([
    ['BENCH_ROUNDS', '0'],
    ['BENCH_ROUNDS', '2.5'],
    ['BENCH_ROUNDS', 'many'],
    ['BENCH_CONCURRENCY', '-1'],
    ['BENCH_LARGE_MB', '256,,1024'],
    ['BENCH_LARGE_MB', '1e3'],
    ['BENCH_CASES', 'large,huge'],
    ['BENCH_QUICK', 'yes'],
    ['BENCH_AWSCLI', '2'],
  ])('refuses %s=%s with a message naming it', (name, value) => {
    expect(() => benchOptions({ [name]: value }, [])).toThrow(name);
  });

  it('refuses unknown arguments', () => {
    expect(() => benchOptions({}, ['--fast'])).toThrow('--fast');
  });
});
