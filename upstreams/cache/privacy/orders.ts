// Which stored orders an identity may see. fullon's order hashes are keyed by
// exchange name (every user's orders on "binance" share order_status:binance) or
// by ex_id (one account). Admins see everything; the owner of an ex_id sees its
// hash; under a name a user sees the orders whose uid or ex_id is theirs.
import type { Identity } from '../../common/assertion.ts';
import type { ExchangeRef } from '../actions/exchange-ref.ts';
import type { AccessPolicy } from './access.ts';

export type StoredOrder = Record<string, unknown>;
/** 'all', 'none' (an ex_id the user does not own), or a per-order test. */
export type OrderScope = 'all' | 'none' | ((order: StoredOrder) => boolean);

export async function orderScopeOf(access: AccessPolicy, identity: Identity, ref: ExchangeRef): Promise<OrderScope> {
  if (access.isAdmin(identity)) return 'all';
  if (ref.kind === 'id') return (await access.ownsExchange(identity, ref.exId)) ? 'all' : 'none';
  const exIds = (await access.visibleExchanges(identity)) ?? new Set<number>();
  return (order) => Number(order.uid) === identity.userId || exIds.has(Number(order.ex_id));
}

export function isVisible(scope: OrderScope, order: StoredOrder): boolean {
  return scope === 'all' || (scope !== 'none' && scope(order));
}

/**
 * The orders of one hash this scope may see, as fullon_cache's get_orders reads
 * them: values that parse as JSON objects; anything else is skipped.
 */
export function visibleOrders(hash: Record<string, string>, scope: OrderScope): Array<[string, StoredOrder]> {
  if (scope === 'none') return [];
  const out: Array<[string, StoredOrder]> = [];
  for (const [orderId, raw] of Object.entries(hash)) {
    const order = parseOrder(raw);
    if (order && isVisible(scope, order)) out.push([orderId, order]);
  }
  return out;
}

export function parseOrder(raw: string): StoredOrder | null {
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as StoredOrder) : null;
  } catch {
    return null;
  }
}
