// Candle reads at any timeframe. The source is chosen per (exchange, symbol):
// stored 1-minute candles when the symbol has any (frames >= 1h read their
// hourly rollup), otherwise its raw trades.
import type { Queryable } from '../../common/db.ts';
import { SERIES_OF_PARAMS } from '../db/series.ts';
import { maxWidthMs, readsHourly, type Timeframe } from '../timeframes/timeframes.ts';
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

/** The newest `limit` candles, oldest first. */
export async function readLatestRows(db: Queryable, exchange: string, symbol: string, timeframe: Timeframe, limit: number, withEnd = false): Promise<CandleRow[]> {
  const source = await chooseSource(db, exchange, symbol, timeframe);
  if (!source) return [];
  // Only the last `limit` bucket widths are scanned; with gaps that window may hold
  // fewer than `limit` buckets, and then the unbounded form answers.
  const windowed = buildAggregateSql({ source, timeframe, where: `ts >= ${latestBoundSql(source, timeframe, '$3::int')}`, order: 'DESC', limit: '$3', withEnd });
  let { rows } = await db.query<CandleRow>(windowed, [exchange, symbol, limit]);
  if (rows.length < limit) {
    const oldest = rows.at(-1)?.ts;
    const { rows: first } = await db.query<{ ms: number | null }>(`SELECT ${epochMs('min(ts)')} AS ms FROM ${source.table} WHERE series_id = ${SERIES_OF_PARAMS}`, [exchange, symbol]);
    const min = first[0]?.ms;
    if (min !== null && min !== undefined && (oldest === undefined || min < oldest)) {
      ({ rows } = await db.query<CandleRow>(buildAggregateSql({ source, timeframe, where: 'TRUE', order: 'DESC', limit: '$3', withEnd }), [exchange, symbol, limit]));
    }
  }
  return rows.reverse();
}

/** Candles whose bucket starts within [start, end], each over its whole bucket, oldest first. */
export async function readRangeRows(db: Queryable, exchange: string, symbol: string, timeframe: Timeframe, start: number | undefined, end: number | undefined, limit: number): Promise<CandleRow[]> {
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
  const sql = buildAggregateSql({ source, timeframe, where, having, order: 'ASC', limit: `$${params.length}` });
  const { rows } = await db.query<CandleRow>(sql, params);
  return rows;
}

export function toCandle(row: CandleRow): Candle {
  return { timestamp: new Date(row.ts).toISOString(), open: row.open, high: row.high, low: row.low, close: row.close, vol: row.vol };
}
