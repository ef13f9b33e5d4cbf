import { describe, expect, it } from 'vitest';
import { median, spread } from '../../../bench/lib/stats.ts';
import { readFlag, readNumberFlag } from '../../../bench/lib/options.ts';

describe('median', () => {
  it.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[7], 7],
  ])('of %j is %d', (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it('is NaN for no values, so an empty row never passes as zero', () => {
    expect(median([])).toBeNaN();
  });
});

describe('spread', () => {
  it('is (max − min) / median', () => {
    expect(spread([90, 100, 110])).toBeCloseTo(0.2);
    expect(spread([5])).toBe(0);
  });
});

describe('bench flags', () => {
  it('reads --name=value, a bare --name as true, else BENCH_NAME', () => {
    expect(readFlag(['--duration=7'], 'duration')).toBe('7');
    expect(readFlag(['--quick'], 'quick')).toBe('true');
    process.env.BENCH_REPEATS_TEST = '5';
    expect(readFlag([], 'repeats-test')).toBe('5');
    delete process.env.BENCH_REPEATS_TEST;
  });

  it('refuses a non-number instead of running a silly benchmark', () => {
    expect(() => readNumberFlag(['--duration=abc'], 'duration', 4, 1)).toThrow(/--duration must be a number ≥ 1/);
    expect(readNumberFlag([], 'duration-unset', 4, 1)).toBe(4);
  });
});
