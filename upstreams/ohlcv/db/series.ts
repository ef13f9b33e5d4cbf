// The (exchange, symbol) → series_id mapping every query goes through.
import type { Queryable } from '../../common/db.ts';

/** SQL scalar: the series of ($1 exchange, $2 symbol), NULL when unknown (so nothing matches). */
export const SERIES_OF_PARAMS = '(SELECT series_id FROM ohlcv_symbols WHERE exchange = $1 AND symbol = $2)';

/**
 * Returns the pair's series id, creating the catalogue row when new. The no-op
 * DO UPDATE also row-locks it until commit, so batches of one symbol take turns:
 * two concurrent batches sharing an hour would otherwise each re-aggregate it
 * without seeing the other's uncommitted minutes.
 */
export async function lockSeries(tx: Queryable, exchange: string, symbol: string): Promise<number> {
  const { rows } = await tx.query<{ series_id: number }>(
    `INSERT INTO ohlcv_symbols (exchange, symbol) VALUES ($1, $2)
     ON CONFLICT (exchange, symbol) DO UPDATE SET exchange = EXCLUDED.exchange
     RETURNING series_id`, [exchange, symbol]);
  return rows[0]!.series_id;
}
