// Trade actions: public trades (list trades:{exchange}:{symbol without "/"},
// market data) for anyone; a user's own trades (list user_trades:{uid}:{exchange})
// only for that user or an admin.
import { pollSource } from '../streams/sources.ts';
import { CacheActionError, toActionError } from './errors.ts';
import { boundedInt, optionalId, parseStored, requireText, type Params } from './params.ts';
import { fieldsOf, type ActionContext, type ActionDefinition } from './types.ts';

const MAX_TRADES = 1000;

interface TradeTarget {
  key: string;
  describe: Record<string, unknown>;
}

function resolveTarget(ctx: ActionContext, params: Params): TradeTarget {
  const exchange = requireText(params, 'exchange', 'exchange and symbol parameters required');
  const uid = optionalId(params, ['user_id', 'uid']);
  if (uid !== undefined) {
    if (!ctx.deps.access.ownsUser(ctx.identity, uid)) throw new CacheActionError('TRADES_NOT_FOUND', `Trades not found for user ${uid} on ${exchange}`);
    return { key: ctx.deps.layout.userTrades(String(uid), exchange), describe: { user_id: uid, exchange } };
  }
  const symbol = requireText(params, 'symbol', 'exchange and symbol parameters required');
  return { key: ctx.deps.layout.trades(exchange, symbol), describe: { exchange, symbol } };
}

async function getTrades(ctx: ActionContext, params: Params) {
  const target = resolveTarget(ctx, params);
  const limit = boundedInt(params, 'limit', 100, 1, MAX_TRADES);
  const raw = await ctx.deps.store.lrange(target.key, -limit, -1).catch((error) => {
    throw toActionError(error, 'trades');
  });
  const trades = raw.map(parseStored);
  return { ...target.describe, trades, count: trades.length };
}

async function streamTradeUpdates(ctx: ActionContext, params: Params) {
  const target = resolveTarget(ctx, params);
  const { store, settings } = ctx.deps;
  // One shared read per interval: the newest 100 entries; any change is pushed.
  const source = pollSource(`lrange:${target.key}`, settings.pollIntervalMs, async () => {
    const raw = await store.lrange(target.key, -100, -1);
    return { fingerprint: raw.join('\n'), payload: raw.map(parseStored) };
  });
  return {
    update: 'trade_update',
    message: `Streaming started for ${Object.values(target.describe).join(' ')}`,
    feeds: [{ source, render: (trades: unknown) => fieldsOf({ ...target.describe, trades, count: (trades as unknown[]).length, timestamp: Date.now() / 1000 }) }],
  };
}

export const TRADE_ACTIONS: ActionDefinition[] = [
  { name: 'get_trades', group: 'trades', kind: 'get', run: getTrades },
  { name: 'stream_trade_updates', group: 'trades', kind: 'stream', run: streamTradeUpdates },
];
