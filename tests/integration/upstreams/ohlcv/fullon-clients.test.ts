// What fullon clients send the ohlcv upstream (issue 15 items 9-11), on real
// Postgres: the older path forms as aliases, URL-encoded symbols decoded once,
// the original's limit semantics (timeseries: newest `limit` of the range; a
// range without `limit`: all of it), case-insensitive trade enums, and the bad
// inputs of each.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../../upstreams/common/db.ts';
import { workerDatabaseUrl } from '../../../helpers/isolation.ts';
import { adminHeaders, buildApp, minuteCandles, uniqueExchange } from './harness.ts';

const DAY = Date.UTC(2024, 1, 29);
const RANGE_MAX_ROWS = 500;

describe('ohlcv answers fullon clients', () => {
  let db: Db;
  let app: FastifyInstance;
  let admin: Record<string, string>;
  let exchange: string;

  beforeAll(async () => {
    db = await openDatabase({ url: await workerDatabaseUrl('ohlcv'), name: 'ohlcv' });
    app = (await buildApp(db, undefined, { rangeMaxRows: RANGE_MAX_ROWS })).app;
    admin = await adminHeaders();
    // 400 minutes of BTC/USDC and one hour of BTC/USD:BTC, shared by the read tests.
    exchange = uniqueExchange();
    await post(`/candles/${exchange}/BTC/USDC`, { candles: minuteCandles(DAY, 400) });
    await post(`/candles/${exchange}/BTC%2FUSD%3ABTC`, { candles: minuteCandles(DAY, 60, 500) });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const get = (url: string) => app.inject({ method: 'GET', url, headers: admin });
  const post = (url: string, payload: unknown) =>
    app.inject({ method: 'POST', url, headers: { ...admin, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
  const stamps = (candles: Array<{ timestamp: string }>) => candles.map((c) => c.timestamp);
  const minute = (i: number) => new Date(DAY + i * 60_000).toISOString();

  describe('older path forms', () => {
    it('/{exchange}/{symbol}/{timeframe} answers as /candles/{exchange}/{symbol}/{timeframe}, encoded or raw', async () => {
      const current = (await get(`/candles/${exchange}/BTC/USDC/1h?limit=3`)).json();
      const encoded = (await get(`/${exchange}/BTC%2FUSDC/1h?limit=3`)).json();
      const raw = (await get(`/${exchange}/BTC/USDC/1h?limit=3`)).json();
      expect(encoded).toMatchObject({ success: true, count: 3, exchange, symbol: 'BTC/USDC', timeframe: '1h', limit: 3 });
      expect(encoded.candles).toEqual(current.candles);
      expect(raw.candles).toEqual(current.candles);
    });

    it('/{exchange}/{symbol}/{timeframe} with start_time/end_time reads the range, newest `limit` of it', async () => {
      const body = (await get(`/${exchange}/BTC%2FUSDC/1m?limit=5&start_time=${minute(10)}&end_time=${minute(99)}`)).json();
      expect(body).toMatchObject({ count: 5, start_time: minute(10), end_time: minute(99), limit: 5 });
      expect(stamps(body.candles)).toEqual([95, 96, 97, 98, 99].map(minute));
      const open = (await get(`/${exchange}/BTC%2FUSDC/1m?start_time=${minute(390)}`)).json();
      expect(stamps(open.candles)).toEqual([390, 391, 392, 393, 394, 395, 396, 397, 398, 399].map(minute));
    });

    it('keeps symbols with ":" (BTC%2FUSD%3ABTC) whole', async () => {
      const body = (await get(`/${exchange}/BTC%2FUSD%3ABTC/1h`)).json();
      expect(body).toMatchObject({ symbol: 'BTC/USD:BTC', count: 1 });
      expect(body.candles[0]).toMatchObject({ timestamp: minute(0), open: 500 });
    });

    it('/{exchange}/{symbol} answers the newest 1m candles', async () => {
      const body = (await get(`/${exchange}/BTC%2FUSDC?limit=2`)).json();
      expect(body).toMatchObject({ success: true, timeframe: '1m', symbol: 'BTC/USDC', count: 2 });
      expect(stamps(body.candles)).toEqual([minute(398), minute(399)]);
    });

    it('/{exchange}/{symbol}/ohlcv answers the timeseries shape', async () => {
      const body = (await get(`/${exchange}/BTC%2FUSDC/ohlcv?timeframe=1h&limit=2`)).json();
      expect(body).toMatchObject({ success: true, timeframe: '1h', count: 2, limit: 2 });
      expect(stamps(body.ohlcv)).toEqual(['2024-02-29T05:00:00.000Z', '2024-02-29T06:00:00.000Z']);
      expect(body.candles).toBeUndefined();
    });

    it('answers an unknown exchange or symbol with an empty list', async () => {
      expect((await get(`/${uniqueExchange()}/BTC%2FUSDC/1h`)).json()).toMatchObject({ success: true, candles: [], count: 0 });
      expect((await get(`/${exchange}/NOPE%2FUSDC`)).json()).toMatchObject({ candles: [], count: 0 });
    });

    it('leaves the current routes to themselves', async () => {
      expect((await get('/timeframes')).json().count).toBe(15);
      expect((await get(`/exchanges/${exchange}/symbols`)).json().count).toBe(2);
    });
  });

  describe('limits as fullon_ohlcv_api', () => {
    it('timeseries with limit returns the newest `limit` candles of the range', async () => {
      const body = (await get(`/timeseries/${exchange}/BTC%2FUSDC/ohlcv?timeframe=1m&start_time=${minute(0)}&end_time=${minute(199)}&limit=3`)).json();
      expect(stamps(body.ohlcv)).toEqual([197, 198, 199].map(minute));
      expect(body).toMatchObject({ count: 3, limit: 3, start_time: minute(0), end_time: minute(199) });
    });

    it('timeseries without limit returns the newest 100 of the range, as the original did', async () => {
      const body = (await get(`/timeseries/${exchange}/BTC%2FUSDC/ohlcv?timeframe=1m&start_time=${minute(0)}&end_time=${minute(399)}`)).json();
      expect(body).toMatchObject({ count: 100, limit: 100 });
      expect(body.ohlcv[0].timestamp).toBe(minute(300));
    });

    it('a candle range without limit returns the whole range', async () => {
      const body = (await get(`/candles/${exchange}/BTC%2FUSDC/1m/range?start_time=${minute(0)}&end_time=${minute(399)}`)).json();
      expect(body).toMatchObject({ count: 400, limit: null });
      expect(body.candles[0].timestamp).toBe(minute(0));
      expect(body.candles[399].timestamp).toBe(minute(399));
    });

    it('a candle range with limit returns the newest `limit` of it', async () => {
      const body = (await get(`/candles/${exchange}/BTC%2FUSDC/1m/range?start_time=${minute(0)}&end_time=${minute(399)}&limit=2`)).json();
      expect(stamps(body.candles)).toEqual([minute(398), minute(399)]);
    });

    it('refuses, never cuts, a range larger than the cap', async () => {
      const big = uniqueExchange();
      await post(`/candles/${big}/BTC/USDC`, { candles: minuteCandles(DAY, RANGE_MAX_ROWS + 1) });
      const response = await get(`/candles/${big}/BTC%2FUSDC/1m/range?start_time=${minute(0)}&end_time=${minute(RANGE_MAX_ROWS)}`);
      expect(response.statusCode).toBe(422);
      expect(response.json().detail[0]).toMatchObject({ loc: ['query', 'limit'], msg: expect.stringMatching(/more than 500 candles/) });
      const exact = await get(`/candles/${big}/BTC%2FUSDC/1m/range?start_time=${minute(1)}&end_time=${minute(RANGE_MAX_ROWS)}`);
      expect(exact.json().count).toBe(RANGE_MAX_ROWS);
    });

    it('a trade range without limit returns all its trades; with limit the newest', async () => {
      const traded = uniqueExchange();
      const trades = Array.from({ length: 30 }, (_, i) => ({ timestamp: DAY + i * 1000, price: 10 + i, volume: 1, side: 'buy' }));
      await post(`/trades/${traded}/ETH/USDC`, { trades });
      const range = `start_time=${minute(0)}&end_time=${minute(1)}`;
      expect((await get(`/trades/${traded}/ETH%2FUSDC/range?${range}`)).json()).toMatchObject({ count: 30, limit: null });
      const newest = (await get(`/trades/${traded}/ETH%2FUSDC/range?${range}&limit=2`)).json();
      expect(newest.trades.map((t: { price: number }) => t.price)).toEqual([38, 39]);
    });
  });

  describe('ingest reads fullon enums case-insensitively', () => {
    it('stores BUY/SELL and MARKET/LIMIT lowercase', async () => {
      const traded = uniqueExchange();
      const response = await post(`/trades/${traded}/BTC/USDC`, { trades: [
        { timestamp: DAY, price: 1, volume: 1, side: 'BUY', type: 'MARKET' },
        { timestamp: DAY + 1000, price: 2, volume: 1, side: 'Sell', type: 'Limit' },
      ] });
      expect(response.statusCode).toBe(200);
      const read = (await get(`/trades/${traded}/BTC%2FUSDC`)).json();
      expect(read.trades.map((t: { side: string; type: string }) => [t.side, t.type])).toEqual([['buy', 'market'], ['sell', 'limit']]);
    });

    it.each([
      ['side LONG', { side: 'LONG' }, 'side'],
      ['a numeric side', { side: 1 }, 'side'],
      ['type with a space', { side: 'buy', type: 'STOP LOSS' }, 'type'],
    ])('still refuses %s', async (_case, fields, field) => {
      const response = await post(`/trades/${uniqueExchange()}/BTC/USDC`, { trades: [{ timestamp: DAY, price: 1, volume: 1, ...fields }] });
      expect(response.statusCode).toBe(422);
      expect(response.json().detail[0].loc).toEqual(['body', 'trades', 0, field]);
    });
  });

  describe('bad inputs answer 422', () => {
    it.each([
      ['an encoded traversal symbol', `/candles/EX/a%2F..%2Fb/1h`],
      ['an encoded traversal symbol on the older form', `/EX/a%2F..%2Fb/1h`],
      ['an encoded dot symbol', `/EX/BTC%2F.%2FUSDC`],
      ['a double-encoded slash', `/candles/EX/BTC%252FUSDC/1h`],
      ['a double-encoded slash on the older form', `/EX/BTC%252FUSDC`],
      ['an encoded trailing slash', `/EX/BTC%2F/1h`],
      ['an unsupported timeframe on the older form', `/EX/BTC%2FUSDC/7m`],
      ['limit=-1 on the older form', `/EX/BTC%2FUSDC/1h?limit=-1`],
      ['limit=10^9 on the older form', `/EX/BTC%2FUSDC/1h?limit=1000000000`],
      ['limit=0 on a timeseries', `/timeseries/EX/BTC%2FUSDC/ohlcv?limit=0`],
      ['limit=10001 on a timeseries', `/timeseries/EX/BTC%2FUSDC/ohlcv?limit=10001`],
      ['limit=abc on a range', `/candles/EX/BTC%2FUSDC/1m/range?start_time=${minute(0)}&end_time=${minute(1)}&limit=abc`],
      ['a malformed exchange on the older form', `/kr%20aken/BTC%2FUSDC/1h`],
      ['a malformed start_time on the older form', `/EX/BTC%2FUSDC/1h?start_time=yesterday`],
    ])('%s', async (_case, url) => {
      const response = await get(url.replace('EX', exchange));
      expect(response.statusCode, response.body).toBe(422);
      expect(Array.isArray(response.json().detail) || typeof response.json().detail === 'string').toBe(true);
    });
  });
});
