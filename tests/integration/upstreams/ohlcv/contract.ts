// The HTTP contract of the ohlcv upstream, run once per store (Postgres, PGlite)
// through fastify's inject: shapes, auth, ingest idempotency, reads, catalogue
// and every bad input the issue lists.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../../upstreams/common/db.ts';
import { adminHeaders, buildApp, minuteCandles, uniqueExchange, userHeaders } from './harness.ts';

const DAY = Date.UTC(2024, 1, 29); // a leap day

export function describeOhlcvContract(store: string, openDb: () => Promise<{ db: Db; close: () => Promise<void> }>): void {
  describe(`ohlcv HTTP contract on ${store}`, () => {
    let app: FastifyInstance;
    let close: () => Promise<void>;
    let admin: Record<string, string>;

    beforeAll(async () => {
      const opened = await openDb();
      close = opened.close;
      app = (await buildApp(opened.db)).app;
      admin = await adminHeaders();
    });
    afterAll(async () => {
      await app?.close();
      await close?.();
    });

    const get = (url: string, headers = admin) => app.inject({ method: 'GET', url, headers });
    const post = (url: string, payload: unknown, headers = admin) =>
      app.inject({ method: 'POST', url, headers: { ...headers, 'content-type': 'application/json' }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

    it('reports health without credentials', async () => {
      const response = await app.inject({ url: '/health' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ status: 'ok', service: 'ohlcv_api', database: { ok: true } });
      expect(typeof response.json().database.latency_ms).toBe('number');
    });

    it.each(['/timeframes', '/candles/kraken/BTC/USDC/1h', '/exchanges'])('refuses %s without a gateway assertion', async (url) => {
      const response = await app.inject({ url });
      expect(response.statusCode).toBe(401);
      expect(response.json().detail).toMatch(/assertion/);
    });

    it('lists the supported timeframes', async () => {
      const body = (await get('/timeframes')).json();
      expect(body).toMatchObject({ success: true, message: null, count: 15 });
      expect(body.timeframes).toEqual(['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M']);
    });

    it('lets admins and ohlcv:write keys ingest and refuses plain users with 403', async () => {
      const exchange = uniqueExchange();
      const rows = { candles: minuteCandles(DAY, 2) };
      const plain = await post(`/candles/${exchange}/BTC/USDC`, rows, await userHeaders());
      expect(plain.statusCode).toBe(403);
      expect(plain.json().detail).toContain('ohlcv:write');
      expect((await post(`/trades/${exchange}/BTC/USDC`, { trades: [] }, await userHeaders())).statusCode).toBe(403);
      const scoped = await post(`/candles/${exchange}/BTC/USDC`, rows, await userHeaders(['ohlcv:write']));
      expect(scoped.statusCode).toBe(200);
      expect(scoped.json()).toMatchObject({ success: true, received: 2, inserted: 2, updated: 0 });
    });

    it('upserts idempotently on (exchange, symbol, timestamp), raw or encoded symbol alike', async () => {
      const exchange = uniqueExchange();
      const candles = minuteCandles(DAY, 90);
      expect((await post(`/candles/${exchange}/BTC/USDC`, { candles })).json()).toMatchObject({ inserted: 90, updated: 0 });
      expect((await post(`/candles/${exchange}/BTC%2FUSDC`, { candles })).json()).toMatchObject({ inserted: 0, updated: 0 });
      const changed = candles.slice(0, 1).map((c) => ({ ...c, vol: 99 }));
      expect((await post(`/candles/${exchange}/BTC/USDC`, changed)).json()).toMatchObject({ inserted: 0, updated: 1 });
      const symbols = (await get(`/exchanges/${exchange}/symbols`)).json();
      expect(symbols.symbols).toEqual([expect.objectContaining({
        symbol: 'BTC/USDC', candle_count: 90, trade_count: 0,
        first_timestamp: new Date(DAY).toISOString(), last_timestamp: new Date(DAY + 89 * 60_000).toISOString(),
      })]);
      const hourly = (await get(`/candles/${exchange}/BTC%2FUSDC/1h`)).json();
      expect(hourly.candles[0]).toEqual({ timestamp: new Date(DAY).toISOString(), open: 100, high: 160.5, low: 99, close: 159.5, vol: 120 - 1 + 99 });
    });

    it('answers the original response shape for latest, range and timeseries reads', async () => {
      const exchange = uniqueExchange();
      await post(`/candles/${exchange}/ETH/USDC`, { candles: minuteCandles(DAY - 30 * 60_000, 180) });
      const latest = (await get(`/candles/${exchange}/ETH/USDC/1h?limit=2`)).json();
      expect(latest).toMatchObject({ success: true, message: null, count: 2, exchange, symbol: 'ETH/USDC', timeframe: '1h', limit: 2 });
      expect(Date.parse(latest.timestamp)).not.toBeNaN();
      expect(latest.candles.map((c: { timestamp: string }) => c.timestamp)).toEqual(['2024-02-29T01:00:00.000Z', '2024-02-29T02:00:00.000Z']);
      expect(Object.keys(latest.candles[0]).sort()).toEqual(['close', 'high', 'low', 'open', 'timestamp', 'vol']);

      const range = (await get(`/candles/${exchange}/ETH%2FUSDC/15m/range?start_time=2024-02-29T00:00:00Z&end_time=2024-02-29T00:30:00Z`)).json();
      expect(range).toMatchObject({ count: 3, timeframe: '15m', start_time: '2024-02-29T00:00:00.000Z', end_time: '2024-02-29T00:30:00.000Z' });
      expect(range.candles[0]).toEqual({ timestamp: '2024-02-29T00:00:00.000Z', open: 130, high: 145.5, low: 129, close: 144.5, vol: 30 });

      const daily = (await get(`/candles/${exchange}/ETH/USDC/1d`)).json();
      expect(daily.candles.map((c: { timestamp: string }) => c.timestamp)).toEqual(['2024-02-28T00:00:00.000Z', '2024-02-29T00:00:00.000Z']);

      const series = (await get(`/timeseries/${exchange}/ETH/USDC/ohlcv?timeframe=1h&start_time=2024-02-29T00:00:00Z`)).json();
      expect(series).toMatchObject({ success: true, timeframe: '1h', count: 3 });
      expect(series.ohlcv[0].timestamp).toBe('2024-02-29T00:00:00.000Z');
    });

    it('produces no candles for gaps', async () => {
      const exchange = uniqueExchange();
      await post(`/candles/${exchange}/BTC/USDC`, [...minuteCandles(DAY, 5), ...minuteCandles(DAY + 5 * 3_600_000, 5)]);
      const hourly = (await get(`/candles/${exchange}/BTC/USDC/1h?limit=10`)).json();
      expect(hourly.candles.map((c: { timestamp: string }) => c.timestamp)).toEqual(['2024-02-29T00:00:00.000Z', '2024-02-29T05:00:00.000Z']);
      const minutes = (await get(`/candles/${exchange}/BTC/USDC/1m?limit=7`)).json();
      expect(minutes.count).toBe(7);
      expect(minutes.candles[0].timestamp).toBe('2024-02-29T00:03:00.000Z');
    });

    it('stores trades, reads them back, and builds candles from them when a symbol has no candles', async () => {
      const exchange = uniqueExchange();
      const trades = [
        { timestamp: '2024-02-29T00:00:10.250Z', price: 10, volume: 1, side: 'buy', type: 'market' },
        { timestamp: '2024-02-29T00:00:40Z', price: 12, volume: 2, side: 'sell' },
        { timestamp: '2024-02-29T00:01:05Z', price: 9, volume: 0.5, side: 'buy', type: 'limit' },
      ];
      expect((await post(`/trades/${exchange}/SOL/USDC`, { trades })).json()).toMatchObject({ inserted: 3 });
      const latest = (await get(`/trades/${exchange}/SOL/USDC?limit=2`)).json();
      expect(latest).toMatchObject({ success: true, count: 2, exchange, symbol: 'SOL/USDC' });
      expect(latest.trades[1]).toEqual({ timestamp: '2024-02-29T00:01:05.000Z', price: 9, volume: 0.5, side: 'buy', type: 'limit' });
      const range = (await get(`/trades/${exchange}/SOL%2FUSDC/range?start_time=2024-02-29T00:00:00Z&end_time=2024-02-29T00:00:59Z`)).json();
      expect(range.trades.map((t: { price: number }) => t.price)).toEqual([10, 12]);
      expect(range.trades[1].type).toBe('market');
      const candles = (await get(`/candles/${exchange}/SOL/USDC/1m`)).json().candles;
      expect(candles).toEqual([
        { timestamp: '2024-02-29T00:00:00.000Z', open: 10, high: 12, low: 10, close: 12, vol: 3 },
        { timestamp: '2024-02-29T00:01:00.000Z', open: 9, high: 9, low: 9, close: 9, vol: 0.5 },
      ]);
    });

    it('lists exchanges with symbol counts', async () => {
      const exchange = uniqueExchange();
      await post(`/candles/${exchange}/BTC/USDC`, minuteCandles(DAY, 1));
      await post(`/trades/${exchange}/ETH/USDC`, [{ timestamp: DAY, price: 1, volume: 1, side: 'buy' }]);
      const body = (await get('/exchanges')).json();
      expect(body.exchanges).toContainEqual({ exchange, symbol_count: 2, candle_count: 1, trade_count: 1 });
      expect((await get(`/exchanges/${exchange}/symbols`)).json().count).toBe(2);
    });

    it('lets any authenticated user read', async () => {
      const exchange = uniqueExchange();
      await post(`/candles/${exchange}/BTC/USDC`, minuteCandles(DAY, 3));
      const user = await userHeaders();
      for (const url of [`/candles/${exchange}/BTC/USDC/1m`, `/trades/${exchange}/BTC/USDC`, '/exchanges', `/exchanges/${exchange}/symbols`, '/timeframes']) {
        expect((await get(url, user)).statusCode, url).toBe(200);
      }
      expect((await get(`/candles/${exchange}/BTC/USDC/1m`, user)).json().count).toBe(3);
    });

    it('returns empty candle lists for unknown symbols', async () => {
      const body = (await get(`/candles/${uniqueExchange()}/NOPE/USDC/1h`)).json();
      expect(body).toMatchObject({ success: true, candles: [], count: 0 });
    });

    describe('bad read parameters answer 422', () => {
      it.each([
        ['an invalid timeframe', '/candles/kraken/BTC/USDC/7m', /Invalid timeframe '7m'\. Supported: 1m, 3m/],
        ['an invalid timeseries timeframe', '/timeseries/kraken/BTC/USDC/ohlcv?timeframe=2w', /Invalid timeframe '2w'/],
        ['a non-numeric limit', '/candles/kraken/BTC/USDC/1h?limit=abc', /limit/],
        ['a negative limit', '/candles/kraken/BTC/USDC/1h?limit=-5', /limit/],
        ['a zero limit', '/trades/kraken/BTC/USDC?limit=0', /limit/],
        ['a fractional limit', '/candles/kraken/BTC/USDC/1h?limit=1.5', /limit/],
        ['a too-large limit', '/candles/kraken/BTC/USDC/1h?limit=5001', /limit/],
        ['a too-large range limit', '/trades/kraken/BTC/USDC/range?start_time=2024-01-01&end_time=2024-01-02&limit=10001', /limit/],
        ['start after end', '/candles/kraken/BTC/USDC/1h/range?start_time=2024-02-02T00:00:00Z&end_time=2024-02-01T00:00:00Z', /start_time/],
        ['a malformed time', '/candles/kraken/BTC/USDC/1h/range?start_time=yesterday&end_time=2024-02-01T00:00:00Z', /start_time/],
        ['an impossible date', '/trades/kraken/BTC/USDC/range?start_time=2023-02-29T00:00:00Z&end_time=2024-02-01T00:00:00Z', /start_time/],
        ['a missing range bound', '/candles/kraken/BTC/USDC/1h/range?start_time=2024-02-01T00:00:00Z', /end_time/],
        ['a malformed exchange', '/candles/kr%20aken/BTC/USDC/1h', /exchange/],
        ['a malformed symbol', '/trades/kraken/BTC%20USDC', /symbol/],
      ])('%s', async (_case, url, pattern) => {
        const response = await get(url);
        expect(response.statusCode).toBe(422);
        expect(JSON.stringify(response.json().detail)).toMatch(pattern);
      });
    });

    describe('bad ingest batches answer 422 naming the rows', () => {
      const good = minuteCandles(DAY, 3);
      it.each([
        ['a negative volume', { ...good[1], vol: -1 }, 'vol', /volume must be >= 0/],
        ['high below max(open, close)', { ...good[1], high: good[1]!.close - 0.25 }, 'high', /high must be >= max/],
        ['low above min(open, close)', { ...good[1], low: good[1]!.open + 0.25 }, 'low', /low must be <= min/],
        ['a NaN given as a string', { ...good[1], open: 'NaN' }, 'open', /finite number/],
        ['a malformed timestamp', { ...good[1], timestamp: '2024-13-01T00:00:00Z' }, 'timestamp', /ISO 8601/],
        ['a timestamp off the minute', { ...good[1], timestamp: '2024-02-29T00:01:30Z' }, 'timestamp', /whole minute/],
      ])('%s', async (_case, bad, field, pattern) => {
        const response = await post(`/candles/${uniqueExchange()}/BTC/USDC`, { candles: [good[0], bad, good[2]] });
        expect(response.statusCode).toBe(422);
        const [issue] = response.json().detail;
        expect(issue.loc).toEqual(['body', 'candles', 1, field]);
        expect(issue.msg).toMatch(pattern);
      });

      it('rejects Infinity (1e400 in JSON) in a row', async () => {
        const body = `{"candles":[{"timestamp":"2024-02-29T00:00:00Z","open":1,"high":1e400,"low":1,"close":1,"vol":1}]}`;
        const response = await post(`/candles/${uniqueExchange()}/BTC/USDC`, body);
        expect(response.statusCode).toBe(422);
        expect(response.json().detail[0]).toMatchObject({ loc: ['body', 'candles', 0, 'high'], msg: 'high must be a finite number' });
      });

      it('rejects NaN literals as malformed JSON', async () => {
        const response = await post(`/candles/${uniqueExchange()}/BTC/USDC`, '{"candles":[{"timestamp":"2024-02-29T00:00:00Z","open":NaN}]}');
        expect(response.statusCode).toBe(422);
        expect(response.json().detail[0].type).toBe('json_invalid');
      });

      it('rejects 10 001 rows and writes nothing', async () => {
        const exchange = uniqueExchange();
        const response = await post(`/candles/${exchange}/BTC/USDC`, { candles: minuteCandles(DAY, 10_001) });
        expect(response.statusCode).toBe(422);
        expect(response.json().detail[0].msg).toMatch(/at most 10000 rows/);
        expect((await get(`/exchanges/${exchange}/symbols`)).json().count).toBe(0);
      });

      it('accepts exactly 10 000 rows', async () => {
        const response = await post(`/candles/${uniqueExchange()}/BTC/USDC`, { candles: minuteCandles(DAY, 10_000) });
        expect(response.json()).toMatchObject({ received: 10_000, inserted: 10_000 });
      });

      it.each([
        ['a bad side', { timestamp: DAY, price: 1, volume: 1, side: 'long' }, 'side'],
        ['a negative volume', { timestamp: DAY, price: 1, volume: -2, side: 'buy' }, 'volume'],
        ['a non-numeric price', { timestamp: DAY, price: '1', volume: 1, side: 'buy' }, 'price'],
      ])('rejects a trade with %s', async (_case, bad, field) => {
        const response = await post(`/trades/${uniqueExchange()}/BTC/USDC`, { trades: [bad] });
        expect(response.statusCode).toBe(422);
        expect(response.json().detail[0].loc).toEqual(['body', 'trades', 0, field]);
      });

      it.each([
        ['an empty batch', { candles: [] }],
        ['a body without rows', { rows: [] }],
        ['a non-object row', { candles: [[1, 2, 3]] }],
      ])('rejects %s', async (_case, body) => {
        expect((await post(`/candles/${uniqueExchange()}/BTC/USDC`, body)).statusCode).toBe(422);
      });
    });
  });
}
