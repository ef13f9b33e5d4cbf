// Finding one trade by id across dry_trades and trades (one id space since schema
// v5; ?kind= picks one when an older database holds the same id in both), and
// the columns a PATCH may change per kind.
import type { Identity } from '../../common/assertion.ts';
import type { Queryable } from '../../common/db.ts';
import { conflict, notFound } from '../../common/errors.ts';
import { isAdmin } from '../db/ownership.ts';
import { ALL_TRADES } from './trade-columns.ts';

export interface TradeRef { kind: 'dry' | 'live'; trade_id: number; uid: number }

/** The trade the caller may act on; someone else's (or a missing one) → 404. */
export async function requireOwnedTrade(db: Queryable, identity: Identity, tradeId: number, kind: 'dry' | 'live' | undefined): Promise<TradeRef> {
  const { rows } = await db.query<TradeRef>(
    `SELECT t.kind, t.trade_id, t.uid FROM ${ALL_TRADES} WHERE t.trade_id = $1 AND ($2::text IS NULL OR t.kind = $2)`,
    [tradeId, kind ?? null],
  );
  const visible = rows.filter((row) => isAdmin(identity) || row.uid === identity.userId);
  if (visible.length === 0) throw notFound('Trade not found');
  if (visible.length > 1) throw conflict('Both a dry and a live trade have this id: add ?kind=dry or ?kind=live');
  return visible[0]!;
}

export async function selectTrade(db: Queryable, kind: 'dry' | 'live', tradeId: number): Promise<Record<string, unknown>> {
  const { rows } = await db.query(`SELECT * FROM ${ALL_TRADES} WHERE t.kind = $1 AND t.trade_id = $2`, [kind, tradeId]);
  if (!rows[0]) throw notFound('Trade not found');
  return rows[0];
}

export const TRADE_TABLES = { dry: 'dry_trades', live: 'trades' } as const;

/** Columns a PATCH may set, per table (ownership and ids never). */
export const PATCHABLE_COLUMNS = {
  dry: ['symbol', 'side', 'order_type', 'volume', 'price', 'fee', 'roi', 'roi_pct', 'reason', 'closingtrade'],
  live: ['symbol', 'side', 'order_type', 'volume', 'price', 'fee', 'roi', 'roi_pct', 'ex_trade_id', 'ex_order_id', 'leverage'],
} as const;
