// A straightforward in-memory candle aggregator: the oracle the SQL aggregation
// is compared against. Deliberately written without any of the SQL's tricks.
import type { Timeframe } from '../../../../upstreams/ohlcv/timeframes/timeframes.ts';

export interface RefRow { ts: number; open: number; high: number; low: number; close: number; volume: number }
export interface RefCandle { timestamp: string; open: number; high: number; low: number; close: number; vol: number }

const MINUTES: Record<string, number> = {
  '1m': 1, '3m': 3, '5m': 5, '15m': 15, '30m': 30, '1h': 60, '2h': 120, '4h': 240, '6h': 360, '8h': 480, '12h': 720, '1d': 1440, '3d': 4320,
};

export function referenceBucket(timeframe: Timeframe, ms: number): number {
  const date = new Date(ms);
  if (timeframe === '1M') return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  if (timeframe === '1w') {
    const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
    const sinceMonday = (date.getUTCDay() + 6) % 7; // getUTCDay: 0 = Sunday
    return midnight - sinceMonday * 86_400_000;
  }
  const width = MINUTES[timeframe]! * 60_000;
  return Math.floor(ms / width) * width;
}

export function referenceCandles(rows: RefRow[], timeframe: Timeframe): RefCandle[] {
  const sorted = [...rows].sort((a, b) => a.ts - b.ts);
  const buckets = new Map<number, RefRow[]>();
  for (const row of sorted) {
    const bucket = referenceBucket(timeframe, row.ts);
    buckets.set(bucket, [...(buckets.get(bucket) ?? []), row]);
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([bucket, members]) => ({
    timestamp: new Date(bucket).toISOString(),
    open: members[0]!.open,
    high: Math.max(...members.map((m) => m.high)),
    low: Math.min(...members.map((m) => m.low)),
    close: members.at(-1)!.close,
    vol: members.reduce((sum, m) => sum + m.volume, 0),
  }));
}
