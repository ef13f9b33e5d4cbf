// The three candle answers of fullon_ohlcv_api, shared by the current paths
// (candles/routes.ts) and the older ones fullon clients still send
// (candles/legacy-routes.ts): recent candles, a time range, and a timeseries.
import type { Queryable } from '../../common/db.ts';
import { envelope } from '../http/envelope.ts';
import { parseOr422 } from '../../common/validate.ts';
import { tooManyRows } from '../http/params.ts';
import { candleRangeQuery, openRangeQuery, recentCandlesQuery, timeseriesQuery } from '../http/queries.ts';
import { OHLCV_DEFAULTS } from '../settings.ts';
import { parseTimeframe, type Timeframe } from '../timeframes/timeframes.ts';
import { readLatestRows, readRangeRows, toCandle, type Candle } from './read.ts';
import type { CandleRow } from './aggregate-sql.ts';

export type Query = Record<string, unknown>;

/** What a read needs: the database and the whole-range cap (OHLCV_DEFAULTS.rangeMaxRows). */
export interface ReadContext {
  db: Queryable;
  rangeMaxRows: number;
}

interface Pair {
  exchange: string;
  symbol: string;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** The newest `limit` candles (100 by default, at most 5000), oldest first. */
export async function recentCandles({ db }: ReadContext, { exchange, symbol }: Pair, timeframe: Timeframe, query: Query) {
  const limit = parseOr422(recentCandlesQuery, query, 'query').limit ?? OHLCV_DEFAULTS.candles.defaultLimit;
  const candles = (await readLatestRows(db, exchange, symbol, timeframe, limit)).map(toCandle);
  return envelope({ candles, count: candles.length, exchange, symbol, timeframe, limit });
}

/**
 * Candles of [start_time, end_time]: all of them without `limit`, else the
 * newest `limit` of the range. `bounds: 'required'` is /range; the older
 * /{exchange}/{symbol}/{timeframe} form takes either bound alone.
 */
export async function rangeCandles(ctx: ReadContext, { exchange, symbol }: Pair, timeframe: Timeframe, query: Query, bounds: 'required' | 'optional' = 'required') {
  const { start_time: start, end_time: end, limit } = parseOr422(bounds === 'required' ? candleRangeQuery : openRangeQuery, query, 'query');
  const rows = limit === undefined
    ? await readWholeRange(ctx, exchange, symbol, timeframe, start, end)
    : await readRangeRows(ctx.db, exchange, symbol, timeframe, start, end, limit, 'newest');
  const candles = rows.map(toCandle);
  return envelope({ candles, count: candles.length, exchange, symbol, timeframe, start_time: iso(start), end_time: iso(end), limit: limit ?? null });
}

/** `{ohlcv: [...]}`: the newest `limit` (100 by default) of the range, or of everything without bounds. */
export async function timeseriesCandles({ db }: ReadContext, { exchange, symbol }: Pair, query: Query) {
  const parsed = parseOr422(timeseriesQuery, query, 'query');
  const timeframe = parseTimeframe(parsed.timeframe ?? '1m');
  const { start_time: start, end_time: end } = parsed;
  const limit = parsed.limit ?? OHLCV_DEFAULTS.timeseries.defaultLimit;
  const rows = start === undefined && end === undefined
    ? await readLatestRows(db, exchange, symbol, timeframe, limit)
    : await readRangeRows(db, exchange, symbol, timeframe, start, end, limit, 'newest');
  const ohlcv: Candle[] = rows.map(toCandle);
  return envelope({ ohlcv, count: ohlcv.length, exchange, symbol, timeframe, start_time: iso(start), end_time: iso(end), limit });
}

/** Every candle of the range in one answer, refused (not cut) past rangeMaxRows. */
async function readWholeRange({ db, rangeMaxRows: max }: ReadContext, exchange: string, symbol: string, timeframe: Timeframe, start: number | undefined, end: number | undefined): Promise<CandleRow[]> {
  const rows = await readRangeRows(db, exchange, symbol, timeframe, start, end, max + 1);
  if (rows.length > max) throw tooManyRows('candles', max);
  return rows;
}
