// The fake exchange as ccxt's kraken client sees it (over real HTTP): markets,
// tickers, 1-minute candles and trades that are valid and deterministic, Kraken's
// private-call signatures, and the injected faults mapped to ccxt's error classes.
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExchange } from '../../../../upstreams/collectors/common/exchanges.ts';
import { startFakeExchange, type FakeExchange } from '../../../../upstreams/collectors/fake-exchange/server.ts';
import { candleAt, makePairs, tradesBetween } from '../../../../upstreams/collectors/fake-exchange/market-model.ts';

let fake: FakeExchange;

beforeAll(async () => {
  fake = await startFakeExchange({ pairs: 8 });
});
afterAll(async () => {
  await fake?.close();
});

const client = (credentials?: { apiKey: string; secret: string }) => createExchange('kraken', { urls: { kraken: fake.url }, timeoutMs: 2_000, rateLimitMs: 1, credentials });

describe('fake exchange (kraken look-alike)', () => {
  it('lists its pairs as ccxt markets and answers tickers for them', async () => {
    const exchange = client();
    await exchange.loadMarkets();
    expect(exchange.symbols).toEqual(expect.arrayContaining(['BTC/USD', 'BTC/USDC', 'ETH/USD', 'T1/USD']));
    const tickers = await exchange.fetchTickers(['BTC/USD', 'T1/USD']);
    expect(tickers['BTC/USD']!.last).toBeGreaterThan(40_000);
    expect(tickers['BTC/USD']!.bid!).toBeLessThan(tickers['BTC/USD']!.ask!);
    await expect(exchange.fetchTicker('NOPE/USD')).rejects.toBeInstanceOf(ccxt.BadSymbol);
  });

  it('serves valid, deterministic 1-minute candles and trades from a start', async () => {
    const exchange = client();
    const since = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;
    const candles = await exchange.fetchOHLCV('ETH/USD', '1m', since, 720);
    expect(candles[0]![0]).toBe(since);
    expect(candles.length).toBeGreaterThanOrEqual(30);
    for (const [ts, open, high, low, close] of candles) {
      expect(ts! % 60_000).toBe(0);
      expect(high!).toBeGreaterThanOrEqual(Math.max(open!, close!));
      expect(low!).toBeLessThanOrEqual(Math.min(open!, close!));
    }
    const pair = makePairs(8).find((p) => p.symbol === 'ETH/USD')!;
    expect(candleAt(pair, since, Date.now())).toMatchObject({ open: candles[0]![1], close: candles[0]![4] });
    const trades = await exchange.fetchTrades('ETH/USD', since, 1_000);
    expect(trades.map((t) => t.timestamp)).toEqual(tradesBetween(pair, since, Date.now() + 1, 1_000).map((t) => t.time));
  });

  it('checks Kraken signatures: the test account reads its balance, a wrong secret is an AuthenticationError', async () => {
    const good = client({ apiKey: fake.kraken.account.apiKey, secret: fake.kraken.account.secret });
    const balance = await good.fetchBalance();
    expect((balance.total as unknown as Record<string, number>).USD).toBeGreaterThanOrEqual(10_000);
    const bad = client({ apiKey: fake.kraken.account.apiKey, secret: Buffer.from('not the secret').toString('base64') });
    await expect(bad.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
  });

  it.each([
    ['429', 'DDoSProtection', ccxt.DDoSProtection],
    ['503', 'ExchangeNotAvailable', ccxt.ExchangeNotAvailable],
    ['reset', 'NetworkError', ccxt.NetworkError],
  ] as const)('a %s fault reaches ccxt as %s (retried by the collectors)', async (mode, _name, kind) => {
    const exchange = client();
    await exchange.loadMarkets();
    fake.fault(mode, 1, '/0/public/Ticker');
    await expect(exchange.fetchTickers(['BTC/USD'])).rejects.toBeInstanceOf(kind);
    expect((await exchange.fetchTickers(['BTC/USD']))['BTC/USD']).toBeDefined();
  });

  it('a hanging answer is a ccxt RequestTimeout', async () => {
    const exchange = createExchange('kraken', { urls: { kraken: fake.url }, timeoutMs: 300, rateLimitMs: 1 });
    await exchange.loadMarkets();
    fake.fault('timeout', 1, '/0/public/Ticker');
    await expect(exchange.fetchTickers(['BTC/USD'])).rejects.toBeInstanceOf(ccxt.RequestTimeout);
  });

  it("streams tickers over Kraken's WebSocket v2 to ccxt's watchTickers, and a dropped socket is a NetworkError", async () => {
    const exchange = createExchange('kraken', { urls: { kraken: fake.url }, timeoutMs: 2_000, rateLimitMs: 1, websocket: true });
    await (exchange as unknown as { loadHttpProxyAgent(): Promise<unknown> }).loadHttpProxyAgent();
    try {
      expect(exchange.has.watchTickers).toBe(true);
      const first = await exchange.watchTickers(['BTC/USD', 'ETH/USD']);
      const [symbol] = Object.keys(first);
      expect(['BTC/USD', 'ETH/USD']).toContain(symbol);
      expect(first[symbol!]!.last).toBeGreaterThan(1_000);
      // An update may beat the drop to the pending watch: try until the drop is what ends it.
      let error: unknown = null;
      for (let attempt = 0; attempt < 5 && !error; attempt++) {
        // The outcome is taken before the drop is asked for: the fake closes the socket
        // before it answers the POST, so the watch can reject while that fetch is awaited,
        // and a rejection with no handler yet is an unhandled rejection for vitest.
        const outcome = exchange.watchTickers(['BTC/USD', 'ETH/USD']).then(() => null, (reason: unknown) => reason);
        await fetch(`${fake.url}/__fake/ws-drop`, { method: 'POST' });
        error = await outcome;
      }
      expect(error).toBeInstanceOf(ccxt.NetworkError);
      expect(Object.keys(await exchange.watchTickers(['BTC/USD', 'ETH/USD'])).length).toBe(1);
    } finally {
      await exchange.close();
    }
  });

  it('refuses an exchange id ccxt does not know', () => {
    expect(() => createExchange('bitmex_nope', { urls: {}, timeoutMs: 1_000 })).toThrow(/unknown exchange id "bitmex_nope"/);
  });
});
