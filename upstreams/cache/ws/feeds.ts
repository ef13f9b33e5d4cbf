// The per-stream feeds behind the older WebSocket paths fullon clients still
// open (example_cache_websocket.py): /ws/tickers/{exchange}/{symbol},
// /ws/trades/{exchange}/{symbol}, /ws/orders/{exchange}, /ws/balances/{ex_id}.
// Such a client sends nothing and reads each frame as one plain object (a
// ticker, a trade, an order, an account's balances), so a feed pushes exactly
// that: a snapshot when it starts, then every change. Sources are shared
// through the hub like the request protocol's streams.
import { readTicker, toTickerView } from '../actions/tickers.ts';
import { CacheActionError, toActionError } from '../actions/errors.ts';
import type { ExchangeRef } from '../actions/exchange-ref.ts';
import type { ActionContext } from '../actions/types.ts';
import { orderScopeOf, visibleOrders } from '../privacy/orders.ts';
import { channelSource, pollSource, type StreamSource } from '../streams/sources.ts';

/** One frame: its conflation key (latest per key wins when the client is slow) and its JSON text. */
export type Frame = [key: string, json: string];

export interface FeedPlan {
  source: StreamSource;
  /** This subscriber's frames for one payload of the source. */
  frames(payload: unknown): Frame[];
  /** Frames sent once the source is attached, when the source itself replays nothing. */
  snapshot?(): Promise<Frame[]>;
}

/** Trades sent when a trade feed starts, before the new ones. */
const TRADE_SNAPSHOT = 10;
const TRADE_WINDOW = 100;

const num = (value: unknown) => {
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
};

/** Tickers: fullon's Tick fields (price, bid, ask, volume, time...) from ticker_updates:{exchange}:{symbol}. */
export function tickerFeed({ deps }: ActionContext, exchange: string, symbol: string): FeedPlan {
  const frameOf = (ticker: ReturnType<typeof toTickerView>): Frame[] =>
    ticker ? [['ticker', JSON.stringify({ ...ticker, exchange, symbol, time: ticker.timestamp })]] : [];
  return {
    source: channelSource(deps.store, deps.layout.tickerChannel(exchange, symbol), async (message) => toTickerView(message, exchange, symbol) ?? (await readTicker(deps, exchange, symbol)) ?? undefined, 'feed'),
    frames: (ticker) => frameOf(ticker as ReturnType<typeof toTickerView>),
    snapshot: async () => frameOf(await readTicker(deps, exchange, symbol)),
  };
}

/** A stored trade as one flat object whose price/volume are numbers and side a word. */
function tradeFrameOf(raw: string, exchange: string, symbol: string): string {
  let trade: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) trade = parsed as Record<string, unknown>;
  } catch {
    /* not JSON: an empty trade with the pair */
  }
  const side = typeof trade.side === 'string' ? trade.side.toLowerCase() : 'unknown';
  return JSON.stringify({ ...trade, exchange, symbol, price: num(trade.price), volume: num(trade.volume), side, timestamp: trade.timestamp ?? trade.time ?? null });
}

/** Public trades: list trades:{exchange}:{symbol without "/"}; the newest few, then each new one. */
export function tradeFeed({ deps }: ActionContext, exchange: string, symbol: string): FeedPlan {
  const key = deps.layout.trades(exchange, symbol);
  const source = pollSource(`feed:lrange:${key}`, deps.settings.pollIntervalMs, async () => {
    const raw = await deps.store.lrange(key, -TRADE_WINDOW, -1);
    return { fingerprint: raw.join('\n'), payload: raw };
  });
  let seen: string[] | null = null;
  let sequence = 0;
  return {
    source,
    frames(payload) {
      const raw = payload as string[];
      const fresh = seen === null ? raw.slice(-TRADE_SNAPSHOT) : raw.slice(raw.lastIndexOf(seen.at(-1) ?? '\u0000') + 1);
      seen = raw;
      return fresh.map((entry) => [`trade:${sequence++}`, tradeFrameOf(entry, exchange, symbol)] as Frame);
    },
  };
}

/**
 * Orders of hash order_status:{exchange}: each visible order once, then each
 * one that changes. Null when the caller may see nothing under an ex_id: the
 * path doubles as the request protocol's /ws/orders/{connection_id}, so there is
 * nothing to refuse, only nothing to push.
 */
export async function orderFeed(ctx: ActionContext, ref: ExchangeRef): Promise<FeedPlan | null> {
  const { deps } = ctx;
  const scope = await orderScopeOf(deps.access, ctx.identity, ref).catch((error) => {
    throw toActionError(error, 'orders');
  });
  if (scope === 'none') return null;
  const key = deps.layout.orderStatus(ref.key);
  const source = pollSource(`feed:hgetall:${key}`, deps.settings.pollIntervalMs, async () => {
    const hash = await deps.store.hgetall(key);
    return { fingerprint: JSON.stringify(Object.entries(hash).sort(([a], [b]) => a.localeCompare(b))), payload: hash };
  });
  const sent = new Map<string, string>();
  return {
    source,
    frames(payload) {
      const frames: Frame[] = [];
      for (const [orderId, order] of visibleOrders(payload as Record<string, string>, scope)) {
        const json = JSON.stringify({ order_id: orderId, ...order, exchange: order.exchange ?? ref.key, volume: num(order.volume) });
        if (sent.get(orderId) === json) continue;
        sent.set(orderId, json);
        frames.push([`order:${orderId}`, json]);
      }
      return frames;
    },
  };
}

/** An account's balances (hash `accounts`, field ex_id) as {currency: {total, free, used}, date}. */
export async function balanceFeed(ctx: ActionContext, exId: number): Promise<FeedPlan> {
  const { deps } = ctx;
  const owned = await deps.access.ownsExchange(ctx.identity, exId).catch((error) => {
    throw toActionError(error, 'balances');
  });
  if (!owned) throw new CacheActionError('BALANCE_NOT_FOUND', `Balances not found for exchange ${exId}`);
  const source = pollSource(`feed:hget:${deps.layout.accounts()}:${exId}`, deps.settings.pollIntervalMs, async () => {
    const raw = await deps.store.hget(deps.layout.accounts(), String(exId));
    return { fingerprint: raw ?? '', payload: raw };
  });
  return {
    source,
    frames(payload) {
      if (typeof payload !== 'string') return [];
      let account: unknown;
      try {
        account = JSON.parse(payload);
      } catch {
        return [];
      }
      if (!account || typeof account !== 'object' || Array.isArray(account)) return [];
      const balances = Object.fromEntries(Object.entries(account as Record<string, unknown>).map(([currency, entry]) => {
        if (!entry || typeof entry !== 'object') return [currency, entry];
        const e = entry as Record<string, unknown>;
        const total = num(e.total ?? e.balance), free = num(e.free ?? e.available);
        return [currency, { total, free, used: e.used !== undefined ? num(e.used) : Math.max(total - free, 0) }];
      }));
      return [['balances', JSON.stringify({ ex_id: exId, ...balances })]];
    },
  };
}
