// Trade reads: the newest N, or those within [start, end]; always oldest first.
import type { Queryable } from '../../common/db.ts';
import { epochMs } from '../candles/aggregate-sql.ts';
import { SERIES_OF_PARAMS } from '../db/series.ts';

export interface Trade {
  timestamp: string;
  price: number;
  volume: number;
  side: string;
  type: string;
}

interface TradeRow { ts: number; price: number; volume: number; side: string; type: string }

const TRADE_COLUMNS = `${epochMs('t.ts')} AS ts, price, volume, side, type`;

const toTrade = (row: TradeRow): Trade => ({ timestamp: new Date(row.ts).toISOString(), price: row.price, volume: row.volume, side: row.side, type: row.type });

export async function readLatestTrades(db: Queryable, exchange: string, symbol: string, limit: number): Promise<Trade[]> {
  const { rows } = await db.query<TradeRow>(
    `SELECT ${TRADE_COLUMNS} FROM ohlcv_trades t WHERE series_id = ${SERIES_OF_PARAMS} ORDER BY t.ts DESC LIMIT $3`,
    [exchange, symbol, limit]);
  return rows.reverse().map(toTrade);
}

/** Trades within [start, end], oldest first: the first `limit`, or with take = 'newest' the newest `limit`. */
export async function readTradeRange(db: Queryable, exchange: string, symbol: string, start: number, end: number, limit: number, take: 'oldest' | 'newest' = 'oldest'): Promise<Trade[]> {
  const order = take === 'newest' ? 'DESC' : 'ASC';
  const { rows } = await db.query<TradeRow>(
    `SELECT ${TRADE_COLUMNS} FROM ohlcv_trades t
     WHERE series_id = ${SERIES_OF_PARAMS} AND ts >= $3::timestamptz AND ts <= $4::timestamptz ORDER BY t.ts ${order} LIMIT $5`,
    [exchange, symbol, new Date(start).toISOString(), new Date(end).toISOString(), limit]);
  return (take === 'newest' ? rows.reverse() : rows).map(toTrade);
}
