// Writes a strategy's params and feeds (replacing the previous set), inside the
// caller's transaction so a bad feed leaves nothing half-written.
import type { Queryable } from '../../common/db.ts';
import type { FeedInput } from './schemas.ts';

export async function replaceParams(tx: Queryable, strId: number, params: Record<string, string | number | boolean>): Promise<void> {
  await tx.query('DELETE FROM strategies_params WHERE str_id = $1', [strId]);
  for (const [name, value] of Object.entries(params)) {
    await tx.query('INSERT INTO strategies_params (str_id, name, value) VALUES ($1, $2, $3)', [strId, name, String(value)]);
  }
}

export async function replaceFeeds(tx: Queryable, strId: number, feeds: readonly FeedInput[]): Promise<void> {
  await tx.query('DELETE FROM feeds WHERE str_id = $1', [strId]);
  for (const [index, feed] of feeds.entries()) {
    await tx.query('INSERT INTO feeds (str_id, symbol_id, period, compression, "order") VALUES ($1, $2, $3, $4, $5)', [
      strId, feed.symbol_id, feed.period, feed.compression, feed.order ?? index + 1,
    ]);
  }
}
