// The ohlcv collector (fullon_ohlcv_service): for every symbol of the catalogue,
// backfills 1-minute candles and trades from the configured start (or the
// symbol's `backtest` days) page by page, then keeps following them. Rows go
// through ohlcv_api's ingest endpoints (the store's own idempotent upsert, which
// also feeds the live candle stream). Each symbol resumes from what is stored,
// so a restart or a kill -9 leaves no gap and no duplicate.
import type { Exchange, OHLCV, Trade } from 'ccxt';
import { Backoff, pause } from '../common/backoff.ts';
import { inNewTrace } from '../common/cycle-trace.ts';
import type { CollectorContext } from '../common/context.ts';
import { ExchangeSession } from '../common/exchange-session.ts';
import { isPermanent } from '../common/exchanges.ts';
import { fetchFollowedSymbols, groupByExchange, type FollowedSymbol } from '../common/follow-list.ts';
import { pathSymbol, UpstreamCallError } from '../common/upstream-client.ts';
import { resumeCursor, type Cursor } from './cursor.ts';

const CANDLE_PAGE = 720;
const TRADE_PAGE = 1_000;
const DAY_MS = 86_400_000;

interface SymbolState {
  row: FollowedSymbol;
  cursor: Cursor | null;
  backoff: Backoff;
  notBefore: number;
  skipped: boolean;
}

export async function runOhlcvCollector(ctx: CollectorContext): Promise<void> {
  const workers = new Map<string, { rows: FollowedSymbol[]; done: Promise<void>; stop: AbortController }>();
  const ormBackoff = new Backoff(ctx.settings.backoffInitialMs, ctx.settings.backoffMaxMs);
  while (!ctx.signal.aborted) {
    let wait = ctx.settings.refreshMs;
    // One refresh of the follow list is one trace (common/cycle-trace.ts).
    await inNewTrace(async () => {
      try {
        const followed = (await fetchFollowedSymbols(ctx.client)).filter((row) => !row.only_ticker);
        ormBackoff.succeed();
        ctx.status.ok('orm_api');
        ctx.status.following = followed.length;
        const groups = groupByExchange(followed);
        for (const [exchange, worker] of workers) {
          if (groups.has(exchange)) continue;
          worker.stop.abort();
          workers.delete(exchange);
        }
        for (const [exchange, rows] of groups) {
          const existing = workers.get(exchange);
          if (existing) {
            existing.rows.splice(0, existing.rows.length, ...rows);
            continue;
          }
          const stop = new AbortController();
          const entry = { rows, stop, done: Promise.resolve() };
          entry.done = followExchange(ctx, exchange, entry.rows, AbortSignal.any([ctx.signal, stop.signal])).catch((error: Error) =>
            ctx.logger.error({ exchange, err: error.message }, 'ohlcv worker crashed'),
          );
          workers.set(exchange, entry);
        }
        const keys = new Set(['orm_api', 'ohlcv_api', ...groups.keys(), ...followed.map((row) => `${row.exchange} ${row.symbol}`)]);
        ctx.status.retain((target) => keys.has(target));
      } catch (error) {
        wait = ormBackoff.fail();
        ctx.status.fail('orm_api', error, wait);
      }
    });
    await pause(wait, ctx.signal);
  }
  await Promise.all([...workers.values()].map((worker) => worker.done));
}

/** One exchange: its symbols in turn, one page each, until all are caught up; then the poll interval. */
async function followExchange(ctx: CollectorContext, id: string, rows: FollowedSymbol[], signal: AbortSignal): Promise<void> {
  const { settings, status } = ctx;
  const session = new ExchangeSession(id, { urls: settings.exchangeUrls, timeoutMs: settings.exchangeTimeoutMs, rateLimitMs: ctx.rateLimitMs }, status, new Backoff(settings.backoffInitialMs, settings.backoffMaxMs));
  const states = new Map<string, SymbolState>();
  try {
    while (!signal.aborted) {
      // One round over the exchange's symbols is one trace (common/cycle-trace.ts).
      const wait = await inNewTrace(() => pollRound(ctx, session, id, rows, states, signal));
      if (wait === null) return;
      if (wait > 0) await pause(wait, signal);
    }
  } finally {
    await session.close();
  }
}

/** One round over an exchange's symbols, a page each: how long to wait before the next, or null to stop following it. */
async function pollRound(ctx: CollectorContext, session: ExchangeSession, id: string, rows: FollowedSymbol[], states: Map<string, SymbolState>, signal: AbortSignal): Promise<number | null> {
  const { settings, status } = ctx;
  const opened = await session.open();
  if (!opened.ready) return opened.retryInMs;
  let busy = false;
  let exchangeDown = false;
  for (const row of [...rows]) {
    if (signal.aborted) break;
    const state = stateOf(states, row, settings.backoffInitialMs, settings.backoffMaxMs);
    if (state.skipped || Date.now() < state.notBefore) continue;
    const target = `${id} ${row.symbol}`;
    if (!session.lists(row.symbol)) {
      state.skipped = true;
      status.skip(target, `${row.symbol} is not listed by ${id}`);
      continue;
    }
    try {
      const more = await step(ctx, opened.exchange, id, state);
      busy ||= more;
      state.backoff.succeed();
      status.ok(target);
      session.succeeded();
    } catch (error) {
      if (isPermanent(error)) {
        state.skipped = true;
        status.skip(target, (error as Error).message);
        continue;
      }
      const delay = state.backoff.fail();
      state.notBefore = Date.now() + delay;
      // An unreachable upstream or exchange is one failure, not one per symbol.
      if (error instanceof UpstreamCallError) status.fail('ohlcv_api', error, delay);
      else {
        status.fail(target, error, delay);
        exchangeDown = state.backoff.failures > 1 && [...states.values()].every((s) => s.skipped || s.backoff.failures > 0);
      }
      state.cursor = null; // ask the store again: what was written before the failure counts
    }
  }
  if (exchangeDown) return session.failed(new Error('every symbol is failing'));
  return busy ? 0 : settings.ohlcvPollMs;
}

function stateOf(states: Map<string, SymbolState>, row: FollowedSymbol, initialMs: number, maxMs: number): SymbolState {
  let state = states.get(row.symbol);
  if (!state) {
    state = { row, cursor: null, backoff: new Backoff(initialMs, maxMs), notBefore: 0, skipped: false };
    states.set(row.symbol, state);
  }
  state.row = row;
  return state;
}

/** One page of candles and one of trades for a symbol; true while there is more to backfill. */
async function step(ctx: CollectorContext, exchange: Exchange, id: string, state: SymbolState): Promise<boolean> {
  const { row } = state;
  const start = ctx.settings.ohlcvStart ?? Math.floor((Date.now() - Math.max(1, row.backtest) * DAY_MS) / 60_000) * 60_000;
  state.cursor ??= await resumeCursor(ctx.client, id, row.symbol, start);
  const cursor = state.cursor;
  const path = `${encodeURIComponent(id)}/${pathSymbol(row.symbol)}`;

  const candles = (await exchange.fetchOHLCV(row.symbol, '1m', cursor.candlesSince, CANDLE_PAGE)).filter((c: OHLCV) => (c[0] ?? 0) >= cursor.candlesSince);
  if (candles.length > 0) {
    await ctx.client.post('ohlcv_api', `/candles/${path}`, {
      candles: candles.map(([ts, open, high, low, close, vol]) => ({ timestamp: ts, open, high, low, close, vol: vol ?? 0 })),
    });
    ctx.status.count('candles_written', candles.length);
    cursor.candlesSince = candles.at(-1)![0]!;
  }

  const trades = (await exchange.fetchTrades(row.symbol, cursor.tradesSince, TRADE_PAGE)).filter((t: Trade) => (t.timestamp ?? 0) >= cursor.tradesSince);
  if (trades.length > 0) {
    await ctx.client.post('ohlcv_api', `/trades/${path}`, {
      trades: trades.map((t) => ({ timestamp: t.timestamp, price: t.price, volume: t.amount, side: t.side === 'sell' ? 'sell' : 'buy', type: t.type === 'limit' ? 'limit' : 'market' })),
    });
    ctx.status.count('trades_written', trades.length);
    cursor.tradesSince = trades.at(-1)!.timestamp!;
  }
  ctx.status.ok('ohlcv_api');
  const currentMinute = Math.floor(Date.now() / 60_000) * 60_000;
  return cursor.candlesSince < currentMinute - 60_000 || trades.length >= TRADE_PAGE;
}
