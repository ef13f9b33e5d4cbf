// Writes a validated candle batch in one transaction: one multi-row statement
// (unnest of column arrays) under the symbol's row lock, then the hourly rollup
// of the touched hours and the symbol catalogue. Re-sending identical rows
// changes nothing (idempotent).
import type { Db, Queryable } from '../../common/db.ts';
import { lockSeries } from '../db/series.ts';
import { arrayLiteral, writeRows } from './write-rows.ts';
import type { CandleInput } from './validate-candles.ts';

export interface UpsertResult {
  received: number;
  inserted: number;
  updated: number;
  /** Bounds (epoch ms) of the rows written, for the live stream. */
  firstMs: number;
  lastMs: number;
}

const CANDLE_ROWS = `
  SELECT $1, to_timestamp(u.ms / 1000.0), u.open, u.high, u.low, u.close, u.volume
  FROM unnest($2::float8[], $3::float8[], $4::float8[], $5::float8[], $6::float8[], $7::float8[]) AS u(ms, open, high, low, close, volume)`;

/** Appending past or between existing rows (the collector's usual case): no conflict handling needed. */
const INSERT_CANDLES = `INSERT INTO ohlcv_candles (series_id, ts, open, high, low, close, volume) ${CANDLE_ROWS}`;

const UPSERT_CANDLES = `
WITH up AS (
  INSERT INTO ohlcv_candles AS c (series_id, ts, open, high, low, close, volume) ${CANDLE_ROWS}
  ON CONFLICT (series_id, ts) DO UPDATE
    SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close, volume = EXCLUDED.volume
    WHERE (c.open, c.high, c.low, c.close, c.volume) IS DISTINCT FROM (EXCLUDED.open, EXCLUDED.high, EXCLUDED.low, EXCLUDED.close, EXCLUDED.volume)
  RETURNING (xmax = 0) AS inserted
)
SELECT (count(*) FILTER (WHERE inserted))::int AS inserted, count(*)::int AS written FROM up`;

// Re-aggregates whole hours from the minute table, so the rollup never depends
// on which rows of an hour arrived in which batch. LATERAL pins the plan to one
// primary-key range scan per hour: with fresh, unanalysed tables the planner
// otherwise picks a nested loop over every row of the symbol.
const ROLLUP_HOURS = `
INSERT INTO ohlcv_candles_1h AS r (series_id, ts, open, high, low, close, volume)
SELECT $1, h.start, a.open, a.high, a.low, a.close, a.volume
FROM unnest($2::timestamptz[]) AS h(start)
CROSS JOIN LATERAL (
  SELECT count(*) AS n, (array_agg(c.open ORDER BY c.ts))[1] AS open, max(c.high) AS high, min(c.low) AS low,
    (array_agg(c.close ORDER BY c.ts DESC))[1] AS close, sum(c.volume) AS volume
  FROM ohlcv_candles c
  WHERE c.series_id = $1 AND c.ts >= h.start AND c.ts < h.start + interval '1 hour'
) a
WHERE a.n > 0
ON CONFLICT (series_id, ts) DO UPDATE
  SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close, volume = EXCLUDED.volume`;

const CATALOGUE_CANDLES = `
UPDATE ohlcv_symbols SET
  candle_first = LEAST(candle_first, $2::timestamptz),
  candle_last = GREATEST(candle_last, $3::timestamptz),
  candle_count = candle_count + $4
WHERE series_id = $1`;

export async function upsertCandles(db: Db, exchange: string, symbol: string, candles: CandleInput[]): Promise<UpsertResult> {
  const firstMs = candles[0]!.ts;
  const lastMs = candles.at(-1)!.ts;
  const columns = columnsOf(candles);
  return db.transaction(async (tx) => {
    const series = await lockSeries(tx, exchange, symbol);
    const { inserted, written } = await writeRows(tx, { table: 'ohlcv_candles', series, firstMs, lastMs, insertSql: INSERT_CANDLES, upsertSql: UPSERT_CANDLES, columns });
    if (written > 0) await rollUpHours(tx, series, candles);
    await tx.query(CATALOGUE_CANDLES, [series, iso(firstMs), iso(lastMs), inserted]);
    return { received: candles.length, inserted, updated: written - inserted, firstMs, lastMs };
  });
}

async function rollUpHours(tx: Queryable, series: number, candles: CandleInput[]): Promise<void> {
  const hours = new Set<number>();
  for (const candle of candles) hours.add(candle.ts - (candle.ts % 3_600_000));
  await tx.query(ROLLUP_HOURS, [series, [...hours].map(iso)]);
}

/**
 * Column arrays as Postgres array literals. Timestamps travel as epoch
 * milliseconds: numbers serialise and parse several times faster than ISO
 * strings, and to_timestamp() is exact at millisecond precision.
 */
function columnsOf(candles: CandleInput[]): string[] {
  const n = candles.length;
  const ms = new Array<number>(n), open = new Array<number>(n), high = new Array<number>(n);
  const low = new Array<number>(n), close = new Array<number>(n), volume = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const c = candles[i]!;
    ms[i] = c.ts; open[i] = c.open; high[i] = c.high; low[i] = c.low; close[i] = c.close; volume[i] = c.volume;
  }
  return [ms, open, high, low, close, volume].map(arrayLiteral);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
