// Order actions (private: the exchange account's owner or an admin), on
// fullon_cache's hash order_status:{exchange} (exchange name or ex_id, see
// exchange-ref.ts): get_order_status reads one order; get_queue_length and
// stream_order_queue count the orders fullon_cache's get_orders returns for it.
import { orderScopeOf, isVisible, parseOrder, visibleOrders, type OrderScope } from '../privacy/orders.ts';
import { pollSource } from '../streams/sources.ts';
import { CacheActionError, toActionError } from './errors.ts';
import { requireExchange, type ExchangeRef } from './exchange-ref.ts';
import { requireText, type Params } from './params.ts';
import { fieldsOf, type ActionContext, type ActionDefinition } from './types.ts';

const hidden = (what: string) => new CacheActionError('ORDER_NOT_FOUND', `Order ${what} not found`);
const EXCHANGE_NAMES = ['exchange', 'ex_id'];

async function scopeOf(ctx: ActionContext, ref: ExchangeRef, what: string): Promise<OrderScope> {
  const scope = await orderScopeOf(ctx.deps.access, ctx.identity, ref).catch((error) => {
    throw toActionError(error, 'order status');
  });
  if (scope === 'none') throw hidden(what);
  return scope;
}

function num(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

async function getOrderStatus(ctx: ActionContext, params: Params) {
  const message = 'exchange and order_id parameters required';
  const ref = requireExchange(params, EXCHANGE_NAMES, message);
  const orderId = requireText(params, 'order_id', message);
  const scope = await scopeOf(ctx, ref, orderId);
  const raw = await ctx.deps.store.hget(ctx.deps.layout.orderStatus(ref.key), orderId).catch((error) => {
    throw toActionError(error, 'order status');
  });
  const order = raw === null ? null : parseOrder(raw);
  if (!order || !isVisible(scope, order)) throw hidden(orderId);
  const volume = num(order.volume);
  const filled = num(order.final_volume);
  const timestamp = typeof order.timestamp === 'string' && Number.isNaN(Number(order.timestamp)) ? Date.parse(order.timestamp) / 1000 || 0 : num(order.timestamp);
  return {
    order_id: order.ex_order_id ?? orderId,
    symbol: order.symbol ?? null,
    exchange: ref.key,
    side: order.side ?? null,
    amount: volume,
    price: num(order.price),
    filled,
    remaining: Math.max(volume - filled, 0),
    status: order.status ?? null,
    order_type: order.order_type ?? null,
    timestamp,
    last_update: timestamp,
  };
}

async function getQueueLength(ctx: ActionContext, params: Params) {
  const ref = requireExchange(params, EXCHANGE_NAMES, 'exchange parameter required');
  const scope = await scopeOf(ctx, ref, 'queue');
  const hash = await ctx.deps.store.hgetall(ctx.deps.layout.orderStatus(ref.key)).catch((error) => {
    throw toActionError(error, 'queue length');
  });
  return { exchange: ref.key, queue_length: visibleOrders(hash, scope).length, timestamp: Date.now() / 1000 };
}

async function streamOrderQueue(ctx: ActionContext, params: Params) {
  const ref = requireExchange(params, EXCHANGE_NAMES, 'exchange parameter required');
  const scope = await scopeOf(ctx, ref, 'queue');
  const { store, layout, settings } = ctx.deps;
  const key = layout.orderStatus(ref.key);
  // One shared read of the hash; each subscriber counts what it may see and is
  // pushed only when ITS count changed.
  const source = pollSource(`hgetall:${key}`, settings.pollIntervalMs, async () => {
    const hash = await store.hgetall(key);
    return { fingerprint: JSON.stringify(Object.entries(hash).sort(([a], [b]) => a.localeCompare(b))), payload: hash };
  });
  let last: number | undefined;
  return {
    update: 'queue_update',
    message: `Streaming started for ${ref.key}`,
    feeds: [{
      source,
      render: (hash: unknown) => {
        const length = visibleOrders(hash as Record<string, string>, scope).length;
        if (length === last) return null;
        last = length;
        return fieldsOf({ exchange: ref.key, queue_length: length, timestamp: Date.now() / 1000 });
      },
    }],
  };
}

export const ORDER_ACTIONS: ActionDefinition[] = [
  { name: 'get_order_status', group: 'orders', kind: 'get', run: getOrderStatus },
  { name: 'get_queue_length', group: 'orders', kind: 'get', run: getQueueLength },
  { name: 'stream_order_queue', group: 'orders', kind: 'stream', run: streamOrderQueue },
];
