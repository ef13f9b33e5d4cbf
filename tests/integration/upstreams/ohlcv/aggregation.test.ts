// SQL aggregation (minute table, hourly rollup and raw trades) agrees with a
// straightforward in-memory reference on random data placed on UTC day, week,
// month and year edges, leap days (2024-02-29) and across gaps.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../../upstreams/common/db.ts';
import { createLogger } from '../../../../upstreams/common/logger.ts';
import { readLatestRows, readRangeRows, toCandle } from '../../../../upstreams/ohlcv/candles/read.ts';
import { prepareOhlcvDatabase } from '../../../../upstreams/ohlcv/db/open.ts';
import { upsertCandles } from '../../../../upstreams/ohlcv/ingest/upsert-candles.ts';
import { upsertTrades } from '../../../../upstreams/ohlcv/ingest/upsert-trades.ts';
import { TIMEFRAMES } from '../../../../upstreams/ohlcv/timeframes/timeframes.ts';
import { workerDatabaseUrl } from '../../../helpers/isolation.ts';
import { referenceCandles, type RefRow } from './candle-reference.ts';
import { uniqueExchange } from './harness.ts';

const MINUTE = 60_000;
/** Starting points just before UTC edges: leap day, non-leap February, 30/31-day months, year ends, a Sunday night. */
const ANCHORS = [
  Date.UTC(2024, 1, 28, 22), Date.UTC(2023, 1, 27, 23), Date.UTC(2024, 3, 29, 20), Date.UTC(2024, 0, 30, 23),
  Date.UTC(2023, 11, 31, 21), Date.UTC(2024, 11, 29, 23, 30), Date.UTC(2024, 2, 3, 23, 50), Date.UTC(2020, 1, 28),
];

const quarter = (max: number) => fc.integer({ min: 0, max: max * 4 }).map((n) => n / 4);
/** Minute steps: mostly consecutive, sometimes hours, sometimes days to weeks (gaps across weeks/months). */
const step = fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 2, arbitrary: fc.integer({ min: 2, max: 300 }) }, { weight: 1, arbitrary: fc.integer({ min: 1440, max: 30 * 1440 }) });
const candleArb = fc.record({ a: quarter(500), b: quarter(500), up: quarter(20), down: quarter(20), volume: quarter(1000) });
const series = fc.record({
  anchor: fc.constantFrom(...ANCHORS),
  points: fc.array(fc.tuple(step, candleArb), { minLength: 1, maxLength: 150 }),
  limit: fc.integer({ min: 1, max: 12 }),
  cut: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
});

function toRows(anchor: number, points: [number, { a: number; b: number; up: number; down: number; volume: number }][]): RefRow[] {
  let ts = anchor;
  return points.map(([gap, c]) => {
    ts += gap * MINUTE;
    return { ts, open: c.a, close: c.b, high: Math.max(c.a, c.b) + c.up, low: Math.min(c.a, c.b) - c.down, volume: c.volume };
  });
}

describe('SQL candle aggregation against an in-memory reference (Postgres)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openDatabase({ url: await workerDatabaseUrl('ohlcv'), name: 'ohlcv' });
    await prepareOhlcvDatabase(db, createLogger('ohlcv', 'silent'));
  });
  afterAll(async () => db?.close());

  async function checkAllTimeframes(exchange: string, rows: RefRow[], limit: number, cut: [number, number]): Promise<void> {
    const first = rows[0]!.ts, last = rows.at(-1)!.ts;
    const [x, y] = [Math.min(...cut), Math.max(...cut)];
    const start = Math.floor(first + (last - first) * x), end = Math.floor(first + (last - first) * y);
    for (const timeframe of TIMEFRAMES) {
      const expected = referenceCandles(rows, timeframe);
      const all = (await readRangeRows(db, exchange, 'X/Y', timeframe, Date.UTC(2000, 0, 1), last + 400 * 86_400_000, 10_000)).map(toCandle);
      expect(all, `${timeframe} full range`).toEqual(expected);
      const window = (await readRangeRows(db, exchange, 'X/Y', timeframe, start, end, 10_000)).map(toCandle);
      expect(window, `${timeframe} range ${new Date(start).toISOString()}..${new Date(end).toISOString()}`)
        .toEqual(expected.filter((c) => Date.parse(c.timestamp) >= start && Date.parse(c.timestamp) <= end));
      const latest = (await readLatestRows(db, exchange, 'X/Y', timeframe, limit)).map(toCandle);
      expect(latest, `${timeframe} latest ${limit}`).toEqual(expected.slice(-limit));
    }
  }

  it('matches for 1-minute candles (minute table below 1h, hourly rollup from 1h up)', async () => {
    await fc.assert(fc.asyncProperty(series, async ({ anchor, points, limit, cut }) => {
      const exchange = uniqueExchange();
      const rows = toRows(anchor, points);
      // Ingest in two batches so the rollup must merge hours split across batches.
      const half = Math.floor(rows.length / 2);
      for (const part of [rows.slice(half), rows.slice(0, half)]) if (part.length) await upsertCandles(db, exchange, 'X/Y', part);
      await checkAllTimeframes(exchange, rows, limit, cut);
    }), { numRuns: 20 });
  });

  it('matches for raw trades when a symbol has no candles', async () => {
    const trades = fc.record({
      anchor: fc.constantFrom(...ANCHORS),
      points: fc.array(fc.tuple(fc.oneof(fc.integer({ min: 1, max: 90_000 }), fc.integer({ min: 3_600_000, max: 20 * 86_400_000 })), quarter(500), quarter(100)), { minLength: 1, maxLength: 120 }),
      limit: fc.integer({ min: 1, max: 12 }),
      cut: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
    });
    await fc.assert(fc.asyncProperty(trades, async ({ anchor, points, limit, cut }) => {
      const exchange = uniqueExchange();
      let ts = anchor;
      const rows: RefRow[] = points.map(([gap, price, volume]) => {
        ts += gap;
        return { ts, open: price, high: price, low: price, close: price, volume };
      });
      await upsertTrades(db, exchange, 'X/Y', rows.map((r) => ({ ts: r.ts, price: r.open, volume: r.volume, side: 'buy' as const, type: 'market' })));
      await checkAllTimeframes(exchange, rows, limit, cut);
    }), { numRuns: 10 });
  });

  it('keeps the hourly rollup whole when concurrent batches share an hour', async () => {
    const exchange = uniqueExchange();
    const start = Date.UTC(2024, 1, 29);
    const rows = Array.from({ length: 600 }, (_, i) => ({ ts: start + i * MINUTE, open: i, high: i + 1, low: i, close: i + 0.5, volume: 1 }));
    // Batches of 60 minutes offset by 30: every hour is split across two batches sent at once.
    const batches = Array.from({ length: 11 }, (_, b) => rows.slice(Math.max(0, b * 60 - 30), b * 60 + 30)).filter((b) => b.length);
    await Promise.all(batches.map((batch) => upsertCandles(db, exchange, 'X/Y', batch)));
    const hourly = (await readLatestRows(db, exchange, 'X/Y', '1h', 20)).map(toCandle);
    expect(hourly).toEqual(referenceCandles(rows, '1h'));
  });

  it('finds the newest candles across long gaps and never overflows the timestamp range', async () => {
    const exchange = uniqueExchange();
    const early = Array.from({ length: 3 }, (_, i) => ({ ts: Date.UTC(1971, 0, 1) + i * MINUTE, open: 1, high: 1, low: 1, close: 1, volume: 1 }));
    const late = Array.from({ length: 3 }, (_, i) => ({ ts: Date.UTC(2024, 1, 29) + i * 3_600_000, open: 2, high: 2, low: 2, close: 2, volume: 1 }));
    await upsertCandles(db, exchange, 'X/Y', [...early, ...late]);
    for (const timeframe of TIMEFRAMES) {
      const expected = referenceCandles([...early, ...late], timeframe);
      const latest = (await readLatestRows(db, exchange, 'X/Y', timeframe, 5000)).map(toCandle);
      expect(latest, timeframe).toEqual(expected);
      expect((await readLatestRows(db, exchange, 'X/Y', timeframe, expected.length - 1)).map(toCandle), timeframe).toEqual(expected.slice(1));
    }
  });

  it.each([
    ['a leap-day month', Date.UTC(2024, 1, 1), 29, '1M', ['2024-02-01T00:00:00.000Z']],
    ['weeks starting Monday across a year end', Date.UTC(2023, 11, 30), 4, '1w', ['2023-12-25T00:00:00.000Z', '2024-01-01T00:00:00.000Z']],
    ['3d buckets anchored at the Unix epoch', Date.UTC(2024, 1, 28), 4, '3d', ['2024-02-26T00:00:00.000Z', '2024-02-29T00:00:00.000Z']],
  ] as const)('buckets %s', async (_case, startMs, days, timeframe, expected) => {
    const exchange = uniqueExchange();
    const rows = Array.from({ length: days * 24 }, (_, i) => ({ ts: startMs + i * 3_600_000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 1 }));
    await upsertCandles(db, exchange, 'X/Y', rows);
    const candles = (await readLatestRows(db, exchange, 'X/Y', timeframe, 10)).map(toCandle);
    expect(candles.map((c) => c.timestamp)).toEqual(expected);
    expect(candles.reduce((sum, c) => sum + c.vol, 0)).toBe(days * 24);
  });
});
