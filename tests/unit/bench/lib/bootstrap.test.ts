import { describe, expect, it } from 'vitest';
import { bootstrapInterval, MIN_BOOTSTRAP_ROUNDS } from '../../../bench/lib/bootstrap.ts';
import { median } from '../../../bench/lib/stats.ts';

/** The median of `values` over the picked rounds. */
const medianOf = (values: number[]) => (picked: readonly number[]) => median(picked.map((round) => values[round]!));

describe('bootstrapInterval', () => {
  it('is the same interval every time for the same rounds (seeded), and another for another seed', () => {
    const values = [3, 9, 4, 12, 5, 7, 30, 6, 8, 4, 5, 11, 6, 7, 9];
    const first = bootstrapInterval(values.length, medianOf(values));
    expect(bootstrapInterval(values.length, medianOf(values))).toEqual(first);
    // A statistic with many possible values shows the draws differ with the seed.
    const mean = (picked: readonly number[]) => picked.reduce((sum, round) => sum + values[round]!, 0) / picked.length;
    expect(bootstrapInterval(values.length, mean, { seed: 99 })).not.toEqual(bootstrapInterval(values.length, mean));
  });

  it('brackets the statistic: a median of scattered rounds moves, one of equal rounds does not', () => {
    const scattered = [3, 9, 4, 12, 5, 7, 30, 6, 8, 4, 5, 11, 6, 7, 9];
    const wide = bootstrapInterval(scattered.length, medianOf(scattered))!;
    expect(wide.low).toBeLessThanOrEqual(median(scattered));
    expect(wide.high).toBeGreaterThanOrEqual(median(scattered));
    // Not as far as the outliers: a median ignores the 30.
    expect(wide.low).toBeGreaterThanOrEqual(4);
    expect(wide.high).toBeLessThanOrEqual(11);
    expect(wide.high - wide.low).toBeGreaterThan(1);
    expect(bootstrapInterval(10, () => 2.5)).toEqual({ low: 2.5, high: 2.5 });
  });

  it('gives a narrower interval at a lower confidence', () => {
    const values = [3, 9, 4, 12, 5, 7, 30, 6, 8, 4, 5, 11, 6, 7, 9];
    const at95 = bootstrapInterval(values.length, medianOf(values))!;
    const at50 = bootstrapInterval(values.length, medianOf(values), { confidence: 0.5 })!;
    expect(at50.high - at50.low).toBeLessThan(at95.high - at95.low);
  });

  it('gives none for too few rounds or a statistic that is never a number', () => {
    expect(bootstrapInterval(MIN_BOOTSTRAP_ROUNDS - 1, () => 1)).toBeNull();
    expect(bootstrapInterval(0, () => 1)).toBeNull();
    expect(bootstrapInterval(10, () => Number.NaN)).toBeNull();
  });
});
