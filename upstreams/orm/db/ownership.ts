// Privacy rules in one place: a regular user acts only on rows they own, an
// admin (or the gateway's service identity) on all rows. Someone else's row is
// reported as 404, never 403, so its existence does not leak.
import type { Identity } from '../../common/assertion.ts';
import type { Queryable } from '../../common/db.ts';
import { notFound } from '../../common/errors.ts';

export function isAdmin(identity: Identity): boolean {
  return identity.role === 'admin' || identity.authMethod === 'gateway';
}

/** The uid a list is restricted to: the caller's own, or an admin's optional ?uid filter. */
export function listScopeUid(identity: Identity, requestedUid: number | undefined): number | undefined {
  return isAdmin(identity) ? requestedUid : identity.userId;
}

/**
 * The uid a list is restricted to when the caller names an owner (fullon's
 * ?user_id=): an admin gets that user's rows; anyone else only their own, and
 * naming another user is 404 like any foreign row.
 */
export function requestedOwnerScope(identity: Identity, requestedUid: number | undefined): number | undefined {
  if (isAdmin(identity)) return requestedUid;
  if (requestedUid !== undefined && requestedUid !== identity.userId) throw notFound('User not found');
  return identity.userId;
}

/** Loads the owner of a row; 404 when missing or owned by someone else (unless admin). */
export async function requireOwnedRow(db: Queryable, identity: Identity, table: OwnedTable, id: number, what: string): Promise<{ uid: number }> {
  const { rows } = await db.query<{ uid: number }>(`SELECT uid FROM ${table} WHERE ${ID_COLUMNS[table]} = $1`, [id]);
  const row = rows[0];
  if (!row || (!isAdmin(identity) && row.uid !== identity.userId)) throw notFound(`${what} not found`);
  return row;
}

type OwnedTable = 'bots' | 'exchanges' | 'orders' | 'api_keys';
const ID_COLUMNS: Record<OwnedTable, string> = { bots: 'bot_id', exchanges: 'ex_id', orders: 'order_id', api_keys: 'api_key_id' };

/** The uid that owns a strategy (through its bot). */
export async function requireOwnedStrategy(db: Queryable, identity: Identity, strId: number, options: { removed?: false } = {}): Promise<{ uid: number; bot_id: number }> {
  const { rows } = await db.query<{ uid: number; bot_id: number; removed: boolean }>(
    'SELECT b.uid, s.bot_id, s.removed_at IS NOT NULL AS removed FROM strategies s JOIN bots b ON b.bot_id = s.bot_id WHERE s.str_id = $1',
    [strId],
  );
  const row = rows[0];
  if (!row || (!isAdmin(identity) && row.uid !== identity.userId)) throw notFound('Strategy not found');
  // A removed strategy can be read (its record), not changed or removed again.
  if (options.removed === false && row.removed) throw notFound('Strategy not found');
  return row;
}

/**
 * Whose row a create makes: the caller's own by default. An admin may name
 * another uid; a regular user naming someone else gets 404 like any foreign row.
 */
export function resolveTargetUid(identity: Identity, requestedUid: number | undefined): number {
  if (requestedUid === undefined || requestedUid === identity.userId) return identity.userId;
  if (!isAdmin(identity)) throw notFound('User not found');
  return requestedUid;
}
