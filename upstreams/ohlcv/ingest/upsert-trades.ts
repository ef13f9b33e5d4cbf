// Writes a validated trade batch in one transaction: one multi-row upsert keyed
// on (exchange, symbol, timestamp) and the symbol catalogue.
import type { Db } from '../../common/db.ts';
import { arrayLiteral, type UpsertResult } from './upsert-candles.ts';
import type { TradeInput } from './validate-trades.ts';

const UPSERT_TRADES = `
WITH up AS (
  INSERT INTO ohlcv_trades AS t (exchange, symbol, ts, price, volume, side, type)
  SELECT $1, $2, to_timestamp(u.ms / 1000.0), u.price, u.volume, u.side, u.type
  FROM unnest($3::float8[], $4::float8[], $5::float8[], $6::text[], $7::text[]) AS u(ms, price, volume, side, type)
  ON CONFLICT (exchange, symbol, ts) DO UPDATE
    SET price = EXCLUDED.price, volume = EXCLUDED.volume, side = EXCLUDED.side, type = EXCLUDED.type
    WHERE (t.price, t.volume, t.side, t.type) IS DISTINCT FROM (EXCLUDED.price, EXCLUDED.volume, EXCLUDED.side, EXCLUDED.type)
  RETURNING (xmax = 0) AS inserted
)
SELECT (count(*) FILTER (WHERE inserted))::int AS inserted, count(*)::int AS written FROM up`;

const CATALOGUE_TRADES = `
INSERT INTO ohlcv_symbols AS s (exchange, symbol, trade_first, trade_last, trade_count)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (exchange, symbol) DO UPDATE SET
  trade_first = LEAST(s.trade_first, EXCLUDED.trade_first),
  trade_last = GREATEST(s.trade_last, EXCLUDED.trade_last),
  trade_count = s.trade_count + EXCLUDED.trade_count`;

export async function upsertTrades(db: Db, exchange: string, symbol: string, trades: TradeInput[]): Promise<UpsertResult> {
  const firstMs = trades[0]!.ts;
  const lastMs = trades.at(-1)!.ts;
  const params = [
    exchange, symbol,
    arrayLiteral(trades.map((t) => t.ts)),
    arrayLiteral(trades.map((t) => t.price)),
    arrayLiteral(trades.map((t) => t.volume)),
    trades.map((t) => t.side),
    trades.map((t) => t.type),
  ];
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ inserted: number; written: number }>(UPSERT_TRADES, params);
    const { inserted, written } = rows[0] ?? { inserted: 0, written: 0 };
    await tx.query(CATALOGUE_TRADES, [exchange, symbol, new Date(firstMs).toISOString(), new Date(lastMs).toISOString(), inserted]);
    return { received: trades.length, inserted, updated: written - inserted, firstMs, lastMs };
  });
}
