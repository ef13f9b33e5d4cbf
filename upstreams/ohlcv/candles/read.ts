// Candle reads at any timeframe. The source is chosen per (exchange, symbol):
// stored 1-minute candles when the symbol has any (frames >= 1h read their
// hourly rollup), otherwise its raw trades.
import type { Queryable } from '../../common/db.ts';
import { SERIES_OF_PARAMS } from '../db/series.ts';
import { maxWidthMs, nominalSeconds, readsHourly, type Timeframe } from '../timeframes/timeframes.ts';
import { HOURLY_SOURCE, MINUTE_SOURCE, TRADE_SOURCE, buildAggregateSql, epochMs, latestBoundSql, type CandleRow, type CandleSource } from './aggregate-sql.ts';

export interface Candle {
  timestamp: string;
  open: number;
  high: number;
  low: number;
  close: number;
  vol: number;
}

export async function chooseSource(db: Queryable, exchange: string, symbol: string, timeframe: Timeframe): Promise<CandleSource | undefined> {
  const { rows } = await db.query<{ candle_count: number; trade_count: number }>(
    'SELECT candle_count, trade_count FROM ohlcv_symbols WHERE exchange = $1 AND symbol = $2', [exchange, symbol]);
  const row = rows[0];
  if (!row) return undefined;
  if (Number(row.candle_count) > 0) return readsHourly(timeframe) ? HOURLY_SOURCE : MINUTE_SOURCE;
  return Number(row.trade_count) > 0 ? TRADE_SOURCE : undefined;
}

/** Scan windows tried for "latest N", in multiples of N bucket widths, before scanning everything. */
const LATEST_WINDOWS = [1, 8, 64];
/** Windows never reach back further than this: stored data starts in 1970, and Postgres timestamps end in 4713 BC. */
const MAX_WINDOW_SECONDS = 500 * 365 * 86_400;

/** The newest `limit` candles, oldest first. */
export async function readLatestRows(db: Queryable, exchange: string, symbol: string, timeframe: Timeframe, limit: number, withEnd = false): Promise<CandleRow[]> {
  const source = await chooseSource(db, exchange, symbol, timeframe);
  if (!source) return [];
  // Only the last `limit` bucket widths are scanned first. With gaps that window
  // holds fewer than `limit` buckets: widen it while older rows exist, and only
  // then aggregate the whole history.
  let oldestRow: number | null | undefined;
  for (const factor of LATEST_WINDOWS) {
    const sql = buildAggregateSql({ source, timeframe, where: `ts >= ${latestBoundSql(source, timeframe, '$4::int')}`, order: 'DESC', limit: '$3', withEnd });
    const buckets = Math.min(limit * factor, Math.floor(MAX_WINDOW_SECONDS / nominalSeconds(timeframe)));
    const { rows } = await db.query<CandleRow>(sql, [exchange, symbol, limit, buckets]);
    if (rows.length >= limit) return rows.reverse();
    oldestRow ??= await readOldestMs(db, source, exchange, symbol);
    const oldestBucket = rows.at(-1)?.ts;
    if (oldestRow === null || (oldestBucket !== undefined && oldestRow >= oldestBucket)) return rows.reverse();
  }
  const { rows } = await db.query<CandleRow>(buildAggregateSql({ source, timeframe, where: 'TRUE', order: 'DESC', limit: '$3', withEnd }), [exchange, symbol, limit]);
  return rows.reverse();
}

async function readOldestMs(db: Queryable, source: CandleSource, exchange: string, symbol: string): Promise<number | null> {
  const { rows } = await db.query<{ ms: number | null }>(`SELECT ${epochMs('min(ts)')} AS ms FROM ${source.table} WHERE series_id = ${SERIES_OF_PARAMS}`, [exchange, symbol]);
  return rows[0]?.ms ?? null;
}

/**
 * Candles whose bucket starts within [start, end], each over its whole bucket,
 * oldest first: the first `limit` of the range, or with take = 'newest' the
 * newest `limit` (fullon_ohlcv_api's `tuples[-limit:]`).
 */
export async function readRangeRows(
  db: Queryable, exchange: string, symbol: string, timeframe: Timeframe,
  start: number | undefined, end: number | undefined, limit: number, take: 'oldest' | 'newest' = 'oldest',
): Promise<CandleRow[]> {
  const source = await chooseSource(db, exchange, symbol, timeframe);
  if (!source) return [];
  const params: unknown[] = [exchange, symbol, new Date(start ?? 0).toISOString()];
  let where = 'ts >= $3::timestamptz';
  let having = 'b >= $3::timestamptz';
  if (end !== undefined) {
    // Scan one bucket width past `end` so the last bucket is whole.
    params.push(new Date(end + maxWidthMs(timeframe)).toISOString(), new Date(end).toISOString());
    where += ' AND ts < $4::timestamptz';
    having += ' AND b <= $5::timestamptz';
  }
  params.push(limit);
  const order = take === 'newest' ? 'DESC' : 'ASC';
  const sql = buildAggregateSql({ source, timeframe, where, having, order, limit: `$${params.length}` });
  const { rows } = await db.query<CandleRow>(sql, params);
  return take === 'newest' ? rows.reverse() : rows;
}

export function toCandle(row: CandleRow): Candle {
  return { timestamp: new Date(row.ts).toISOString(), open: row.open, high: row.high, low: row.low, close: row.close, vol: row.vol };
}
