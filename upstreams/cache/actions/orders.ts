// Order actions (private: the exchange account's owner or an admin):
// get_order_status from hash order_status:{ex_id}, get_queue_length and
// stream_order_queue from list new_orders:{ex_id}.
import { pollSource } from '../streams/sources.ts';
import { CacheActionError, toActionError } from './errors.ts';
import { parseStored, requireId, requireText, type Params } from './params.ts';
import { fieldsOf, type ActionContext, type ActionDefinition } from './types.ts';

const hidden = (what: string) => new CacheActionError('ORDER_NOT_FOUND', `Order ${what} not found`);

async function requireOwnedExchange(ctx: ActionContext, exId: number, what: string) {
  const owned = await ctx.deps.access.ownsExchange(ctx.identity, exId).catch((error) => {
    throw toActionError(error, 'order status');
  });
  if (!owned) throw hidden(what);
}

function num(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

async function getOrderStatus(ctx: ActionContext, params: Params) {
  const message = 'exchange and order_id parameters required';
  const exId = requireId(params, ['exchange', 'ex_id'], message);
  const orderId = requireText(params, 'order_id', message);
  await requireOwnedExchange(ctx, exId, orderId);
  const raw = await ctx.deps.store.hget(ctx.deps.layout.orderStatus(String(exId)), orderId).catch((error) => {
    throw toActionError(error, 'order status');
  });
  if (raw === null) throw hidden(orderId);
  const order = parseStored(raw) as Record<string, unknown>;
  const volume = num(order?.volume);
  const filled = num(order?.final_volume);
  const timestamp = typeof order?.timestamp === 'string' && Number.isNaN(Number(order.timestamp)) ? Date.parse(order.timestamp) / 1000 || 0 : num(order?.timestamp);
  return {
    order_id: order?.ex_order_id ?? orderId,
    symbol: order?.symbol ?? null,
    exchange: String(exId),
    side: order?.side ?? null,
    amount: volume,
    price: num(order?.price),
    filled,
    remaining: Math.max(volume - filled, 0),
    status: order?.status ?? null,
    order_type: order?.order_type ?? null,
    timestamp,
    last_update: timestamp,
  };
}

async function getQueueLength(ctx: ActionContext, params: Params) {
  const exId = requireId(params, ['exchange', 'ex_id'], 'exchange parameter required');
  await requireOwnedExchange(ctx, exId, 'queue');
  const length = await ctx.deps.store.llen(ctx.deps.layout.newOrders(String(exId))).catch((error) => {
    throw toActionError(error, 'queue length');
  });
  return { exchange: String(exId), queue_length: length, timestamp: Date.now() / 1000 };
}

async function streamOrderQueue(ctx: ActionContext, params: Params) {
  const exId = requireId(params, ['exchange', 'ex_id'], 'exchange parameter required');
  await requireOwnedExchange(ctx, exId, 'queue');
  const { store, layout, settings } = ctx.deps;
  const key = layout.newOrders(String(exId));
  const source = pollSource(`llen:${key}`, settings.pollIntervalMs, async () => {
    const length = await store.llen(key);
    return { fingerprint: String(length), payload: length };
  });
  return {
    update: 'queue_update',
    message: `Streaming started for ${exId}`,
    feeds: [{ source, render: (length: unknown) => fieldsOf({ exchange: String(exId), queue_length: length, timestamp: Date.now() / 1000 }) }],
  };
}

export const ORDER_ACTIONS: ActionDefinition[] = [
  { name: 'get_order_status', group: 'orders', kind: 'get', run: getOrderStatus },
  { name: 'get_queue_length', group: 'orders', kind: 'get', run: getQueueLength },
  { name: 'stream_order_queue', group: 'orders', kind: 'stream', run: streamOrderQueue },
];
