// Candle batches: every bad row named by index and reason, duplicates collapsed.
import { describe, expect, it } from 'vitest';
import { validateCandleBatch } from '../../../../../upstreams/ohlcv/ingest/validate-candles.ts';

const row = (overrides: Record<string, unknown> = {}) => ({ timestamp: '2024-02-29T00:00:00Z', open: 10, high: 12, low: 9, close: 11, vol: 1, ...overrides });
const issuesOf = (body: unknown) => {
  try {
    validateCandleBatch(body);
  } catch (error) {
    return (error as { detail: Array<{ loc: unknown[]; msg: string }> }).detail;
  }
  return [];
};

describe('validateCandleBatch', () => {
  it.each([
    ['NaN', { open: Number.NaN }, 'open', /finite/],
    ['Infinity', { close: Number.POSITIVE_INFINITY }, 'close', /finite/],
    ['a numeric string', { high: '12' }, 'high', /finite/],
    ['a negative volume', { vol: -0.5 }, 'vol', />= 0/],
    ['a negative "volume" alias', { vol: undefined, volume: -1 }, 'volume', />= 0/],
    ['high below close', { high: 10.5 }, 'high', /max\(open, close\)/],
    ['low above open', { low: 9.5, open: 9.4 }, 'low', /min\(open, close\)/],
    ['a seconds timestamp', { timestamp: '2024-02-29T00:00:30Z' }, 'timestamp', /whole minute/],
    ['an impossible date', { timestamp: '2023-02-29T00:00:00Z' }, 'timestamp', /ISO 8601/],
  ])('names a row with %s', (_case, overrides, field, pattern) => {
    const [issue] = issuesOf([row({ timestamp: '2024-02-29T00:05:00Z' }), row(overrides)]);
    expect(issue!.loc).toEqual(['body', 'candles', 1, field]);
    expect(issue!.msg).toMatch(pattern);
  });

  it('lists every bad row, capped at 100 plus a summary', () => {
    const issues = issuesOf({ candles: Array.from({ length: 150 }, () => row({ vol: -1 })) });
    expect(issues).toHaveLength(101);
    expect(issues.at(-1)!.msg).toMatch(/50 more invalid rows/);
  });

  it('refuses more than 10 000 rows, none, or a wrong shape', () => {
    expect(issuesOf({ candles: Array.from({ length: 10_001 }, () => row()) })[0]!.msg).toMatch(/at most 10000/);
    expect(issuesOf({ candles: [] })[0]!.msg).toMatch(/at least one/);
    expect(issuesOf({ candle: [row()] })[0]!.loc).toEqual(['body', 'candles']);
    expect(issuesOf([null])[0]!.loc).toEqual(['body', 'candles', 0, 'row']);
  });

  it('keeps the last row per timestamp, sorted by time, accepting epoch ms', () => {
    const candles = validateCandleBatch([row({ timestamp: '2024-02-29T00:01:00Z' }), row({ close: 11.5 }), row({ timestamp: Date.UTC(2024, 1, 29), close: 10.5 })]);
    expect(candles.map((c) => [c.ts, c.close])).toEqual([[Date.UTC(2024, 1, 29), 10.5], [Date.UTC(2024, 1, 29, 0, 1), 11]]);
  });
});
