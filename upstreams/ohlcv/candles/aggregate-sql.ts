// Builds the one SQL statement that turns stored rows (1m candles, the hourly
// rollup, or raw trades) into candles of any timeframe: open = first by time,
// close = last, high/low = extremes, volume = sum, one row per non-empty bucket
// (gaps yield nothing).
import { SERIES_OF_PARAMS } from '../db/series.ts';
import { bucketSql, shiftSql, type Timeframe } from '../timeframes/timeframes.ts';

export interface CandleSource {
  table: string;
  /** The timeframe one stored row already is (no aggregation needed), if any. */
  native?: Timeframe;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}

const OHLC = { open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume' };
export const MINUTE_SOURCE: CandleSource = { table: 'ohlcv_candles', native: '1m', ...OHLC };
export const HOURLY_SOURCE: CandleSource = { table: 'ohlcv_candles_1h', native: '1h', ...OHLC };
export const TRADE_SOURCE: CandleSource = { table: 'ohlcv_trades', open: 'price', high: 'price', low: 'price', close: 'price', volume: 'volume' };

export interface AggregateQuery {
  source: CandleSource;
  timeframe: Timeframe;
  /** Extra row filter on `ts`; $1 = exchange, $2 = symbol, further params are the caller's. */
  where: string;
  /** Filter on the bucket start `b`, or empty. */
  having?: string;
  order: 'ASC' | 'DESC';
  /** SQL for the row cap (a parameter reference). */
  limit: string;
  /** Adds end_ts (bucket end) and is_final (bucket end <= now()) for the live stream. */
  withEnd?: boolean;
}

/** Timestamps come back as epoch ms (see EPOCH_MS): pg parses numbers far faster than timestamptz text. */
export interface CandleRow {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  vol: number;
  end_ts?: number;
  is_final?: boolean;
}

export function buildAggregateSql(query: AggregateQuery): string {
  const { source, timeframe } = query;
  const end = shiftSql(timeframe, 'b', '1');
  const extra = query.withEnd ? `, ${epochMs(end)} AS end_ts, (${end} <= now()) AS is_final` : '';
  if (source.native === timeframe) {
    // Stored rows already are candles of this frame: a plain index range scan.
    return `SELECT ${epochMs('b')} AS ts, o AS open, h AS high, l AS low, c AS close, v AS vol${extra}
FROM (
  SELECT ts AS b, ${source.open} AS o, ${source.high} AS h, ${source.low} AS l, ${source.close} AS c, ${source.volume} AS v
  FROM ${source.table}
  WHERE series_id = ${SERIES_OF_PARAMS} AND ${query.where}
) s${query.having ? `\nWHERE ${query.having}` : ''}
ORDER BY b ${query.order}
LIMIT ${query.limit}`;
  }
  return `SELECT ${epochMs('b')} AS ts,
  (array_agg(o ORDER BY t))[1] AS open, max(h) AS high, min(l) AS low,
  (array_agg(c ORDER BY t DESC))[1] AS close, sum(v) AS vol${extra}
FROM (
  SELECT ${bucketSql(timeframe, 'ts')} AS b, ts AS t, ${source.open} AS o, ${source.high} AS h,
    ${source.low} AS l, ${source.close} AS c, ${source.volume} AS v
  FROM ${source.table}
  WHERE series_id = ${SERIES_OF_PARAMS} AND ${query.where}
) s
GROUP BY b${query.having ? ` HAVING ${query.having}` : ''}
ORDER BY b ${query.order}
LIMIT ${query.limit}`;
}

/** SQL: a timestamptz as whole epoch milliseconds (float8; rounding undoes binary fractions). */
export function epochMs(expression: string): string {
  return `round(date_part('epoch', ${expression}) * 1000)`;
}

/**
 * Lower ts bound covering the newest `count` buckets (count is an SQL int
 * expression). The newest row is found with ORDER BY ... LIMIT 1 (a one-row
 * backward index scan); max(ts) inside an expression would scan the whole symbol.
 */
export function latestBoundSql(source: CandleSource, timeframe: Timeframe, count: string): string {
  const newest = `(SELECT ts FROM ${source.table} WHERE series_id = ${SERIES_OF_PARAMS} ORDER BY ts DESC LIMIT 1)`;
  return `(SELECT ${shiftSql(timeframe, bucketSql(timeframe, 'n.ts'), `1 - (${count})`)} FROM ${newest} n)`;
}
