// Ticker actions (market data, any authenticated user): get_ticker,
// get_all_tickers, stream_tickers. Streams come from fullon's pub/sub channel
// ticker_updates:{exchange}:{symbol}; each message is parsed once for everyone.
import { channelSource } from '../streams/sources.ts';
import { CacheActionError, toActionError } from './errors.ts';
import { requireText, requireTextList, type Params } from './params.ts';
import { fieldsOf, type ActionContext, type ActionDefinition, type CacheDeps } from './types.ts';

export interface TickerView {
  symbol: string;
  exchange: string;
  price: number;
  volume: number;
  timestamp: number;
  bid: number;
  ask: number;
  change_24h: number;
}

/** fullon's tick JSON {symbol, exchange, price, volume, time, bid, ask, last} → the API's ticker. */
export function toTickerView(raw: string, exchange: string, symbol: string): TickerView | null {
  let tick: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    tick = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  return {
    symbol: typeof tick.symbol === 'string' ? tick.symbol : symbol,
    exchange: typeof tick.exchange === 'string' ? tick.exchange : exchange,
    price: toNumber(tick.price ?? tick.last),
    volume: toNumber(tick.volume),
    timestamp: toTimestamp(tick.time ?? tick.timestamp),
    bid: toNumber(tick.bid),
    ask: toNumber(tick.ask),
    change_24h: toNumber(tick.change_24h),
  };
}

function toNumber(value: unknown): number {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : 0;
}

function toTimestamp(value: unknown): number {
  if (typeof value === 'string' && Number.isNaN(Number(value))) {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? 0 : parsed / 1000;
  }
  return toNumber(value);
}

export async function readTicker(deps: CacheDeps, exchange: string, symbol: string): Promise<TickerView | null> {
  const raw = await deps.store.hget(deps.layout.tickers(exchange), symbol);
  return raw === null ? null : toTickerView(raw, exchange, symbol);
}

async function getTicker({ deps }: ActionContext, params: Params) {
  const message = 'exchange and symbol parameters required';
  const exchange = requireText(params, 'exchange', message);
  const symbol = requireText(params, 'symbol', message);
  const ticker = await readTicker(deps, exchange, symbol).catch((error) => {
    throw toActionError(error, 'ticker data');
  });
  if (!ticker) throw new CacheActionError('TICKER_NOT_FOUND', `Ticker ${symbol} not found for ${exchange}`);
  return ticker;
}

export async function readAllTickers(deps: CacheDeps, exchange: string): Promise<TickerView[]> {
  const all = await deps.store.hgetall(deps.layout.tickers(exchange));
  return Object.entries(all)
    .map(([symbol, raw]) => toTickerView(raw, exchange, symbol))
    .filter((ticker): ticker is TickerView => ticker !== null)
    .sort((a, b) => a.symbol.localeCompare(b.symbol));
}

async function getAllTickers({ deps }: ActionContext, params: Params) {
  const exchange = requireText(params, 'exchange', 'exchange parameter required');
  const tickers = await readAllTickers(deps, exchange).catch((error) => {
    throw toActionError(error, 'tickers');
  });
  return { exchange, tickers };
}

async function streamTickers({ deps }: ActionContext, params: Params) {
  const exchange = requireText(params, 'exchange', 'exchange parameter required');
  const symbols = requireTextList(params, 'symbols', deps.settings.maxSymbolsPerStream);
  const feeds = symbols.map((symbol) => ({
    // A message that is not a tick JSON makes us read the hash instead (once, shared).
    source: channelSource(deps.store, deps.layout.tickerChannel(exchange, symbol), async (message) => {
      const ticker = toTickerView(message, exchange, symbol) ?? (await readTicker(deps, exchange, symbol));
      return ticker ? fieldsOf({ ...ticker, exchange, symbol }) : undefined;
    }),
    render: (payload: unknown) => payload as string,
  }));
  return { update: 'ticker_update', message: `Streaming started for ${symbols.length} symbols on ${exchange}`, feeds };
}

export const TICKER_ACTIONS: ActionDefinition[] = [
  { name: 'get_ticker', group: 'tickers', kind: 'get', run: getTicker },
  { name: 'get_all_tickers', group: 'tickers', kind: 'get', run: getAllTickers },
  { name: 'stream_tickers', group: 'tickers', kind: 'stream', run: streamTickers },
];
