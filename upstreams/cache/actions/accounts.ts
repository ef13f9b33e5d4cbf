// Account actions (private: the exchange account's owner or an admin). fullon
// keys balances and positions by ex_id: hash `accounts` (ex_id → {currency:
// {total, free, used}, date}) and `account_positions` (ex_id → {symbol: {...}}).
// fullon_cache_api called the id `user_id`; we accept `ex_id` and `user_id`.
import { pollSource } from '../streams/sources.ts';
import { CacheActionError, toActionError } from './errors.ts';
import { parseStored, requireId, requireText, type Params } from './params.ts';
import { fieldsOf, type ActionContext, type ActionDefinition } from './types.ts';

const ID_NAMES = ['ex_id', 'user_id', 'exchange'];

function num(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

async function owns(ctx: ActionContext, exId: number, what: string): Promise<boolean> {
  return ctx.deps.access.ownsExchange(ctx.identity, exId).catch((error) => {
    throw toActionError(error, what);
  });
}

async function getBalance(ctx: ActionContext, params: Params) {
  const message = 'user_id and currency parameters required';
  const exId = requireId(params, ID_NAMES, message);
  const currency = requireText(params, 'currency', message);
  const notFound = new CacheActionError('BALANCE_NOT_FOUND', `Balance not found for user ${exId} ${currency}`);
  if (!(await owns(ctx, exId, 'balance data'))) throw notFound;
  const raw = await ctx.deps.store.hget(ctx.deps.layout.accounts(), String(exId)).catch((error) => {
    throw toActionError(error, 'balance data');
  });
  const account = raw === null ? null : (parseStored(raw) as Record<string, unknown> | null);
  const entry = account && typeof account === 'object' ? (account[currency] as Record<string, unknown> | undefined) : undefined;
  if (!entry || typeof entry !== 'object') throw notFound;
  const total = num(entry.total ?? entry.balance);
  const available = num(entry.free ?? entry.available);
  const reserved = entry.used !== undefined ? num(entry.used) : Math.max(total - available, 0);
  return { user_id: exId, currency, total_balance: total, available_balance: available, reserved_balance: reserved, timestamp: Date.now() / 1000 };
}

/** account_positions value → the list fullon_cache_api returned. */
export function toPositions(exId: number, raw: string | null): Record<string, unknown>[] {
  const stored = raw === null ? null : parseStored(raw);
  if (!stored || typeof stored !== 'object') return [];
  return Object.entries(stored as Record<string, unknown>)
    .filter(([, value]) => value && typeof value === 'object')
    .map(([symbol, value]) => {
      const position = value as Record<string, unknown>;
      const volume = num(position.volume);
      return {
        symbol,
        exchange: exId,
        side: volume >= 0 ? 'long' : 'short',
        size: Math.abs(volume),
        entry_price: num(position.price),
        mark_price: num(position.price),
        cost: num(position.cost),
        fee: num(position.fee),
        pnl: num(position.pnl),
        pnl_percent: num(position.pnl_percent),
        timestamp: num(position.timestamp),
      };
    });
}

async function getPositions(ctx: ActionContext, params: Params) {
  const exId = requireId(params, ID_NAMES, 'user_id or exchange parameter required');
  if (!(await owns(ctx, exId, 'positions'))) throw new CacheActionError('POSITIONS_NOT_FOUND', `Positions not found for ${exId}`);
  const raw = await ctx.deps.store.hget(ctx.deps.layout.accountPositions(), String(exId)).catch((error) => {
    throw toActionError(error, 'positions');
  });
  const positions = toPositions(exId, raw);
  return { user_id: exId, exchange: exId, positions, count: positions.length };
}

async function streamPositions(ctx: ActionContext, params: Params) {
  const exId = requireId(params, ID_NAMES, 'user_id or exchange parameter required');
  if (!(await owns(ctx, exId, 'positions'))) throw new CacheActionError('POSITIONS_NOT_FOUND', `Positions not found for ${exId}`);
  const { store, layout, settings } = ctx.deps;
  const source = pollSource(`hget:${layout.accountPositions()}:${exId}`, settings.pollIntervalMs, async () => {
    const raw = await store.hget(layout.accountPositions(), String(exId));
    return { fingerprint: raw ?? '', payload: toPositions(exId, raw) };
  });
  return {
    update: 'position_update',
    message: `Streaming started for exchange ${exId}`,
    feeds: [{ source, render: (positions: unknown) => fieldsOf({ exchange: exId, positions, count: (positions as unknown[]).length, timestamp: Date.now() / 1000 }) }],
  };
}

export const ACCOUNT_ACTIONS: ActionDefinition[] = [
  { name: 'get_balance', group: 'accounts', kind: 'get', run: getBalance },
  { name: 'get_positions', group: 'accounts', kind: 'get', run: getPositions },
  { name: 'stream_positions', group: 'accounts', kind: 'stream', run: streamPositions },
];
