// Trade reads: the newest N, or those within [start, end]; always oldest first.
import type { Queryable } from '../../common/db.ts';
import { SERIES_OF_PARAMS } from '../db/series.ts';

export interface Trade {
  timestamp: string;
  price: number;
  volume: number;
  side: string;
  type: string;
}

interface TradeRow { ts: Date; price: number; volume: number; side: string; type: string }

const toTrade = (row: TradeRow): Trade => ({ timestamp: row.ts.toISOString(), price: row.price, volume: row.volume, side: row.side, type: row.type });

export async function readLatestTrades(db: Queryable, exchange: string, symbol: string, limit: number): Promise<Trade[]> {
  const { rows } = await db.query<TradeRow>(
    `SELECT ts, price, volume, side, type FROM ohlcv_trades WHERE series_id = ${SERIES_OF_PARAMS} ORDER BY ts DESC LIMIT $3`,
    [exchange, symbol, limit]);
  return rows.reverse().map(toTrade);
}

export async function readTradeRange(db: Queryable, exchange: string, symbol: string, start: number, end: number, limit: number): Promise<Trade[]> {
  const { rows } = await db.query<TradeRow>(
    `SELECT ts, price, volume, side, type FROM ohlcv_trades
     WHERE series_id = ${SERIES_OF_PARAMS} AND ts >= $3::timestamptz AND ts <= $4::timestamptz ORDER BY ts ASC LIMIT $5`,
    [exchange, symbol, new Date(start).toISOString(), new Date(end).toISOString(), limit]);
  return rows.map(toTrade);
}
