// The ticker collector (fullon_ticker_service): for every exchange of the symbol
// catalogue, follows the tickers of its symbols — over the exchange's WebSocket
// with ccxt's built-in watchTickers where it has one, else by polling REST (one
// fetchTickers request per exchange when offered, else fetchTicker per symbol) — and writes each
// changed ticker to the cache in fullon's layout through cache_api's POST
// /tickers/{exchange}/{symbol}, which also publishes it to stream_tickers
// subscribers. One failing exchange or symbol never stops the others.
import type { Exchange, Ticker } from 'ccxt';
import { Backoff, pause } from '../common/backoff.ts';
import { eachLimited, type CollectorContext } from '../common/context.ts';
import { ExchangeSession } from '../common/exchange-session.ts';
import { isPermanent } from '../common/exchanges.ts';
import { fetchFollowedSymbols, groupByExchange } from '../common/follow-list.ts';
import { pathSymbol } from '../common/upstream-client.ts';
import { inNewTrace } from '../common/cycle-trace.ts';

const CACHE_WRITE_CONCURRENCY = 16;

export async function runTickerCollector(ctx: CollectorContext): Promise<void> {
  const workers = new Map<string, { symbols: string[]; done: Promise<void>; stop: AbortController }>();
  const ormBackoff = new Backoff(ctx.settings.backoffInitialMs, ctx.settings.backoffMaxMs);
  while (!ctx.signal.aborted) {
    let wait = ctx.settings.refreshMs;
    // One refresh of the follow list is one trace (common/cycle-trace.ts).
    await inNewTrace(async () => {
      try {
        const followed = await fetchFollowedSymbols(ctx.client);
        ormBackoff.succeed();
        ctx.status.ok('orm_api');
        const groups = groupByExchange(followed);
        ctx.status.following = followed.length;
        for (const [exchange, worker] of workers) {
          if (groups.has(exchange)) continue;
          worker.stop.abort();
          workers.delete(exchange);
        }
        for (const [exchange, rows] of groups) {
          const symbols = rows.map((row) => row.symbol);
          const existing = workers.get(exchange);
          if (existing) {
            existing.symbols.splice(0, existing.symbols.length, ...symbols);
            continue;
          }
          const stop = new AbortController();
          const signal = AbortSignal.any([ctx.signal, stop.signal]);
          const entry = { symbols, stop, done: Promise.resolve() };
          entry.done = followExchange(ctx, exchange, entry.symbols, signal).catch((error: Error) => ctx.logger.error({ exchange, err: error.message }, 'ticker worker crashed'));
          workers.set(exchange, entry);
        }
        const followedKeys = new Set(['orm_api', 'cache_api', ...groups.keys(), ...followed.map((row) => `${row.exchange} ${row.symbol}`)]);
        ctx.status.retain((target) => followedKeys.has(target));
      } catch (error) {
        wait = ormBackoff.fail();
        ctx.status.fail('orm_api', error, wait);
      }
    });
    await pause(wait, ctx.signal);
  }
  await Promise.all([...workers.values()].map((worker) => worker.done));
}

/** Polls one exchange until aborted; `symbols` is updated in place by the refresh loop. */
async function followExchange(ctx: CollectorContext, id: string, symbols: string[], signal: AbortSignal): Promise<void> {
  const { settings, status } = ctx;
  const session = new ExchangeSession(id, { urls: settings.exchangeUrls, timeoutMs: settings.exchangeTimeoutMs, rateLimitMs: ctx.rateLimitMs, websocket: settings.useWebsocket }, status, new Backoff(settings.backoffInitialMs, settings.backoffMaxMs));
  const written = new Map<string, string>();
  const cacheBackoff = new Backoff(settings.backoffInitialMs, settings.backoffMaxMs);
  // A pending watchTickers only ends when its socket closes.
  const onAbort = () => void session.close();
  signal.addEventListener('abort', onAbort, { once: true });
  const poll: Poll = { ctx, session, id, symbols, written, cacheBackoff, signal };
  try {
    while (!signal.aborted) {
      // One poll (open, fetch, write) is one trace (common/cycle-trace.ts).
      const wait = await inNewTrace(() => pollExchange(poll));
      if (wait === null) return; // unknown exchange: reported, nothing to do
      if (wait > 0) await pause(wait, signal);
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    await session.close();
  }
}

interface Poll {
  ctx: CollectorContext;
  session: ExchangeSession;
  id: string;
  symbols: string[];
  written: Map<string, string>;
  cacheBackoff: Backoff;
  signal: AbortSignal;
}

/** One poll of an exchange: how long to wait before the next one, or null to stop following it. */
async function pollExchange({ ctx, session, id, symbols, written, cacheBackoff, signal }: Poll): Promise<number | null> {
  const { settings, status } = ctx;
  const opened = await session.open();
  if (!opened.ready) return opened.retryInMs;
  const known = symbols.filter((symbol) => {
    if (session.lists(symbol)) return true;
    status.skip(`${id} ${symbol}`, `${symbol} is not listed by ${id}`);
    return false;
  });
  let wait = settings.tickerPollMs;
  const streaming = settings.useWebsocket && Boolean(opened.exchange.has.watchTickers);
  try {
    const tickers = streaming ? await watchTickers(ctx, opened.exchange, id, known) : await fetchTickers(ctx, opened.exchange, id, known);
    if (streaming) wait = 0;
    session.succeeded();
    const changed = tickers.filter(([symbol, ticker]) => written.get(symbol) !== fingerprint(ticker));
    const failed = await writeTickers(ctx, id, changed, written);
    if (failed) {
      wait = cacheBackoff.fail();
      status.fail('cache_api', failed, wait);
    } else if (changed.length > 0) {
      cacheBackoff.succeed();
      status.ok('cache_api');
    }
  } catch (error) {
    if (signal.aborted) return 0;
    wait = session.failed(error);
  }
  if (wait > 0) return wait;
  return known.length === 0 ? settings.tickerPollMs : 0;
}

/**
 * Waits for the next ticker update on the exchange's WebSocket, then returns every
 * followed symbol's newest ticker (ccxt keeps them in exchange.tickers), so updates
 * that arrived while the previous ones were being written are not lost.
 */
async function watchTickers(ctx: CollectorContext, exchange: Exchange, exchangeId: string, symbols: string[]): Promise<Array<[string, Ticker]>> {
  if (symbols.length === 0) return [];
  await exchange.watchTickers(symbols);
  const out: Array<[string, Ticker]> = [];
  for (const symbol of symbols) {
    const ticker = exchange.tickers?.[symbol];
    if (ticker && Number.isFinite(ticker.last ?? ticker.close)) out.push([symbol, ticker]);
  }
  for (const [symbol] of out) if (ctx.status.target(`${exchangeId} ${symbol}`)?.state !== 'ok') ctx.status.ok(`${exchangeId} ${symbol}`);
  return out;
}

/** [symbol, ticker] of every symbol answered; a symbol missing from the answer is that symbol's failure. */
async function fetchTickers(ctx: CollectorContext, exchange: Exchange, exchangeId: string, symbols: string[]): Promise<Array<[string, Ticker]>> {
  if (symbols.length === 0) return [];
  const out: Array<[string, Ticker]> = [];
  if (exchange.has.fetchTickers) {
    const tickers = await exchange.fetchTickers(symbols);
    for (const symbol of symbols) {
      const ticker = tickers[symbol];
      if (ticker && Number.isFinite(ticker.last ?? ticker.close)) {
        out.push([symbol, ticker]);
        ctx.status.ok(`${exchangeId} ${symbol}`);
      } else {
        ctx.status.fail(`${exchangeId} ${symbol}`, new Error('no ticker in the exchange answer'), ctx.settings.tickerPollMs);
      }
    }
    if (out.length === 0) throw new Error(`${exchangeId} answered no usable ticker`);
    return out;
  }
  for (const symbol of symbols) {
    try {
      out.push([symbol, await exchange.fetchTicker(symbol)]);
      ctx.status.ok(`${exchangeId} ${symbol}`);
    } catch (error) {
      if (isPermanent(error)) ctx.status.skip(`${exchangeId} ${symbol}`, (error as Error).message);
      else ctx.status.fail(`${exchangeId} ${symbol}`, error, ctx.settings.tickerPollMs);
    }
  }
  return out;
}

/** Writes tickers to cache_api; returns the first error (the rest are still tried). */
async function writeTickers(ctx: CollectorContext, exchange: string, tickers: Array<[string, Ticker]>, written: Map<string, string>): Promise<unknown> {
  let firstError: unknown = null;
  await eachLimited(tickers, CACHE_WRITE_CONCURRENCY, async ([symbol, ticker]) => {
    const price = (ticker.last ?? ticker.close)!;
    const body = {
      price,
      last: price,
      bid: finiteOr(ticker.bid, price),
      ask: finiteOr(ticker.ask, price),
      volume: finiteOr(ticker.baseVolume, 0),
      time: (ticker.timestamp ?? Date.now()) / 1000,
      ...(Number.isFinite(ticker.percentage) ? { change_24h: ticker.percentage } : {}),
    };
    try {
      await ctx.client.post('cache_api', `/tickers/${encodeURIComponent(exchange)}/${pathSymbol(symbol)}`, body);
      written.set(symbol, fingerprint(ticker));
      ctx.status.count('tickers_written');
    } catch (error) {
      firstError ??= error;
    }
  });
  return firstError;
}

function fingerprint(ticker: Ticker): string {
  return `${ticker.last ?? ticker.close}|${ticker.bid}|${ticker.ask}`;
}

function finiteOr(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
