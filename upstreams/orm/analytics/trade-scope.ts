// Which trades an analytics request reads: the caller's own (an admin: everyone's,
// or ?user_id='s), optionally one bot (owned, else 404), one symbol, dry or live
// only, always inside a bounded time range. One place builds the WHERE clause for
// every trade analytics query, so ownership cannot be forgotten on one of them.
import { z } from 'zod';
import type { Identity } from '../../common/assertion.ts';
import { parseOr422 } from '../../common/validate.ts';
import type { OrmContext } from '../context.ts';
import { requestedOwnerScope, requireOwnedRow } from '../db/ownership.ts';
import { idSchema } from '../db/params.ts';
import { SqlFilter } from '../db/sql-filter.ts';
import { tradeKindSchema } from '../trades/schemas.ts';
import { resolveTimeRange, timeRangeQuery, type TimeRange } from './time-range.ts';

export const tradeScopeQuerySchema = z.object({
  user_id: idSchema.optional(),
  uid: idSchema.optional(),
  bot_id: idSchema.optional(),
  symbol: z.string().trim().min(1).max(64).optional(),
  kind: tradeKindSchema.optional(),
  ...timeRangeQuery,
});

export interface TradeScope {
  uid: number | undefined;
  botId: number | undefined;
  symbol: string | undefined;
  kind: 'dry' | 'live' | undefined;
  range: TimeRange;
}

export async function readTradeScope(ctx: OrmContext, identity: Identity, query: unknown, defaults: Partial<Pick<TradeScope, 'kind'>> = {}): Promise<TradeScope> {
  const q = parseOr422(tradeScopeQuerySchema, query, 'query');
  const uid = requestedOwnerScope(identity, q.user_id ?? q.uid);
  if (q.bot_id !== undefined) await requireOwnedRow(ctx.db, identity, 'bots', q.bot_id, 'Bot');
  return { uid, botId: q.bot_id, symbol: q.symbol, kind: q.kind ?? defaults.kind, range: resolveTimeRange(q) };
}

/** WHERE conditions over the ALL_TRADES projection (alias t). */
export function tradeScopeFilter(scope: TradeScope): SqlFilter {
  return new SqlFilter()
    .add('t.time >= ?', scope.range.start)
    .add('t.time < ?', scope.range.end)
    .addIf('t.uid = ?', scope.uid)
    .addIf('t.bot_id = ?', scope.botId)
    .addIf('t.symbol = ?', scope.symbol)
    .addIf('t.kind = ?', scope.kind);
}
