// OHLCV actions (market data): list ohlcv:{symbol}:{timeframe} of [ts, o, h, l, c, v].
import { pollSource } from '../streams/sources.ts';
import { toActionError } from './errors.ts';
import { boundedInt, parseStored, requireText, type Params } from './params.ts';
import { fieldsOf, type ActionContext, type ActionDefinition } from './types.ts';

/** fullon keeps at most 10 000 bars per key. */
const MAX_BARS = 10_000;

function target(params: Params) {
  const message = 'symbol and timeframe parameters required';
  return { symbol: requireText(params, 'symbol', message), timeframe: requireText(params, 'timeframe', message) };
}

async function getLatestBars(ctx: ActionContext, params: Params) {
  const { symbol, timeframe } = target(params);
  const count = boundedInt(params, 'count', 100, 1, MAX_BARS);
  const raw = await ctx.deps.store.lrange(ctx.deps.layout.ohlcv(symbol, timeframe), -count, -1).catch((error) => {
    throw toActionError(error, 'ohlcv bars');
  });
  const bars = raw.map(parseStored);
  return { symbol, timeframe, bars, count: bars.length };
}

async function streamOhlcv(ctx: ActionContext, params: Params) {
  const { symbol, timeframe } = target(params);
  const { store, layout, settings } = ctx.deps;
  const key = layout.ohlcv(symbol, timeframe);
  const source = pollSource(`last:${key}`, settings.pollIntervalMs, async () => {
    const [raw] = await store.lrange(key, -1, -1);
    return { fingerprint: raw ?? '', payload: raw === undefined ? null : parseStored(raw) };
  });
  return {
    update: 'ohlcv_update',
    message: `Streaming started for ${symbol} ${timeframe}`,
    feeds: [{ source, render: (bar: unknown) => (bar === null ? null : fieldsOf({ symbol, timeframe, bar, timestamp: Date.now() / 1000 })) }],
  };
}

export const OHLCV_ACTIONS: ActionDefinition[] = [
  { name: 'get_latest_ohlcv_bars', group: 'ohlcv', kind: 'get', run: getLatestBars },
  { name: 'stream_ohlcv', group: 'ohlcv', kind: 'stream', run: streamOhlcv },
];
