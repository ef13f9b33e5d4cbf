// Writes a validated trade batch in one transaction: one multi-row upsert keyed
// on (exchange, symbol, timestamp) and the symbol catalogue.
import type { Db } from '../../common/db.ts';
import { lockSeries } from '../db/series.ts';
import type { UpsertResult } from './upsert-candles.ts';
import { arrayLiteral, writeRows } from './write-rows.ts';
import type { TradeInput } from './validate-trades.ts';

const TRADE_ROWS = `
  SELECT $1, to_timestamp(u.ms / 1000.0), u.price, u.volume, u.side, u.type
  FROM unnest($2::float8[], $3::float8[], $4::float8[], $5::text[], $6::text[]) AS u(ms, price, volume, side, type)`;

const INSERT_TRADES = `INSERT INTO ohlcv_trades (series_id, ts, price, volume, side, type) ${TRADE_ROWS}`;

const UPSERT_TRADES = `
WITH up AS (
  INSERT INTO ohlcv_trades AS t (series_id, ts, price, volume, side, type) ${TRADE_ROWS}
  ON CONFLICT (series_id, ts) DO UPDATE
    SET price = EXCLUDED.price, volume = EXCLUDED.volume, side = EXCLUDED.side, type = EXCLUDED.type
    WHERE (t.price, t.volume, t.side, t.type) IS DISTINCT FROM (EXCLUDED.price, EXCLUDED.volume, EXCLUDED.side, EXCLUDED.type)
  RETURNING (xmax = 0) AS inserted
)
SELECT (count(*) FILTER (WHERE inserted))::int AS inserted, count(*)::int AS written FROM up`;

const CATALOGUE_TRADES = `
UPDATE ohlcv_symbols SET
  trade_first = LEAST(trade_first, $2::timestamptz),
  trade_last = GREATEST(trade_last, $3::timestamptz),
  trade_count = trade_count + $4
WHERE series_id = $1`;

export async function upsertTrades(db: Db, exchange: string, symbol: string, trades: TradeInput[]): Promise<UpsertResult> {
  const firstMs = trades[0]!.ts;
  const lastMs = trades.at(-1)!.ts;
  const columns = [
    arrayLiteral(trades.map((t) => t.ts)),
    arrayLiteral(trades.map((t) => t.price)),
    arrayLiteral(trades.map((t) => t.volume)),
    trades.map((t) => t.side),
    trades.map((t) => t.type),
  ];
  return db.transaction(async (tx) => {
    const series = await lockSeries(tx, exchange, symbol);
    const { inserted, written } = await writeRows(tx, { table: 'ohlcv_trades', series, firstMs, lastMs, insertSql: INSERT_TRADES, upsertSql: UPSERT_TRADES, columns });
    await tx.query(CATALOGUE_TRADES, [series, new Date(firstMs).toISOString(), new Date(lastMs).toISOString(), inserted]);
    return { received: trades.length, inserted, updated: written - inserted, firstMs, lastMs };
  });
}
