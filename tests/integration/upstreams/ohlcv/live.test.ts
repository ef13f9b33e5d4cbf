// WS /ws/ohlcv against a listening app on Postgres: the original protocol,
// updates only for subscribed keys and touched recent buckets, errors that keep
// the socket open, and the per-socket limits.
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../../upstreams/common/db.ts';
import type { OhlcvApp } from '../../../../upstreams/ohlcv/app.ts';
import { workerDatabaseUrl } from '../../../helpers/isolation.ts';
import { adminHeaders, buildApp, minuteCandles, uniqueExchange } from './harness.ts';
import { connect, upgradeStatus, type TestSocket } from './ws-client.ts';

const HOUR = Date.UTC(2024, 1, 29, 10);

describe('WS /ws/ohlcv', () => {
  let db: Db;
  let ohlcv: OhlcvApp;
  let app: FastifyInstance;
  let url: string;
  let admin: Record<string, string>;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    db = await openDatabase({ url: await workerDatabaseUrl('ohlcv'), name: 'ohlcv' });
    ohlcv = await buildApp(db, { maxSubscriptionsPerSocket: 3 });
    app = ohlcv.app;
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    url = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/ws/ohlcv`;
    admin = await adminHeaders();
  });
  afterEach(async () => {
    while (sockets.length) await sockets.pop()!.close();
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const open = async () => {
    const client = await connect(url, admin);
    sockets.push(client);
    return client;
  };
  const ingest = async (exchange: string, candles: unknown[]) => {
    const response = await app.inject({ method: 'POST', url: `/candles/${exchange}/BTC/USDC`, headers: admin, payload: { candles } });
    expect(response.statusCode).toBe(200);
    await ohlcv.liveIdle();
  };

  it('refuses an upgrade without a gateway assertion with HTTP 401', async () => {
    expect(await upgradeStatus(url)).toBe(401);
  });

  it('confirms a subscription and pushes the changed candle of each subscribed timeframe', async () => {
    const exchange = uniqueExchange();
    await ingest(exchange, minuteCandles(HOUR, 30));
    const client = await open();
    for (const timeframe of ['1m', '1h']) {
      client.send({ action: 'subscribe', exchange, symbol: 'BTC/USDC', timeframe, type: 'ohlcv_live' });
      expect(await client.next()).toMatchObject({
        type: 'subscription_confirmed', exchange, symbol: 'BTC/USDC', timeframe, subscription_type: 'ohlcv_live', data: { status: 'subscribed' },
      });
    }
    await ingest(exchange, [{ timestamp: new Date(HOUR + 30 * 60_000).toISOString(), open: 200, high: 210, low: 190, close: 205, vol: 7 }]);
    const updates = [await client.next(), await client.next()];
    const byFrame = Object.fromEntries(updates.map((u) => [u.timeframe, u]));
    expect(byFrame['1m']).toMatchObject({
      type: 'ohlcv_update', exchange, symbol: 'BTC/USDC',
      data: { timestamp: '2024-02-29T10:30:00.000Z', open: 200, high: 210, low: 190, close: 205, volume: 7, is_final: true },
    });
    expect(byFrame['1h']).toMatchObject({ data: { timestamp: '2024-02-29T10:00:00.000Z', open: 100, high: 210, low: 99, close: 205, is_final: true } });
    expect(typeof byFrame['1h']!.timestamp).toBe('string');
  });

  it('marks the still-open current bucket is_final: false', async () => {
    const exchange = uniqueExchange();
    const client = await open();
    client.send({ action: 'subscribe', exchange, symbol: 'BTC/USDC', timeframe: '1d' });
    await client.next();
    const now = Date.now() - (Date.now() % 60_000);
    await ingest(exchange, [{ timestamp: now, open: 1, high: 1, low: 1, close: 1, vol: 1 }]);
    expect((await client.next()).data).toMatchObject({ is_final: false, volume: 1 });
  });

  it('pushes nothing for other pairs, old buckets, or after unsubscribing', async () => {
    const exchange = uniqueExchange();
    await ingest(exchange, minuteCandles(HOUR, 10));
    const client = await open();
    client.send({ action: 'subscribe', exchange, symbol: 'BTC/USDC', timeframe: '1m' });
    await client.next();
    await ingest(uniqueExchange(), minuteCandles(HOUR, 2)); // another pair
    await ingest(exchange, minuteCandles(HOUR, 1, 50)); // an old minute, not among the newest two
    expect(client.pending()).toBe(0);
    client.send({ action: 'unsubscribe', exchange, symbol: 'BTC/USDC', timeframe: '1m' });
    expect(await client.next()).toMatchObject({ type: 'unsubscription_confirmed', timeframe: '1m', data: { status: 'unsubscribed' } });
    await ingest(exchange, minuteCandles(HOUR + 10 * 60_000, 1));
    client.send({ action: 'subscribe', exchange, symbol: 'BTC/USDC', timeframe: '5m' });
    expect((await client.next()).type).toBe('subscription_confirmed'); // no update came in between
  });

  it('pushes candles built from trades for a symbol without candles', async () => {
    const exchange = uniqueExchange();
    const client = await open();
    client.send({ action: 'subscribe', exchange, symbol: 'ETH/USDC', timeframe: '5m' });
    await client.next();
    const trades = [
      { timestamp: '2024-02-29T10:01:00Z', price: 10, volume: 1, side: 'buy' },
      { timestamp: '2024-02-29T10:03:30Z', price: 8, volume: 2, side: 'sell' },
    ];
    const response = await app.inject({ method: 'POST', url: `/trades/${exchange}/ETH/USDC`, headers: admin, payload: { trades } });
    expect(response.statusCode).toBe(200);
    expect(await client.next()).toMatchObject({
      type: 'ohlcv_update', timeframe: '5m',
      data: { timestamp: '2024-02-29T10:00:00.000Z', open: 10, high: 10, low: 8, close: 8, volume: 3, is_final: true },
    });
  });

  it.each([
    ['malformed JSON', '{"action": "subscribe",', /Invalid JSON/],
    ['a non-object message', '[1, 2]', /JSON object/],
    ['an unknown action', { action: 'dance', exchange: 'kraken', symbol: 'BTC/USDC', timeframe: '1m' }, /Unknown action 'dance'/],
    ['missing fields', { action: 'subscribe', exchange: 'kraken' }, /symbol, timeframe/],
    ['an invalid timeframe', { action: 'subscribe', exchange: 'kraken', symbol: 'BTC/USDC', timeframe: '7m' }, /Invalid timeframe '7m'/],
    ['an unsupported type', { action: 'subscribe', exchange: 'kraken', symbol: 'BTC/USDC', timeframe: '1m', type: 'ticks' }, /Unsupported subscription type/],
    ['an unsubscribe without a subscription', { action: 'unsubscribe', exchange: 'kraken', symbol: 'BTC/USDC', timeframe: '1m' }, /Not subscribed/],
  ])('answers %s with an error and keeps the socket open', async (_case, message, pattern) => {
    const client = await open();
    client.send(message);
    const error = await client.next();
    expect(error).toMatchObject({ type: 'error' });
    expect(error.message).toMatch(pattern);
    expect(typeof error.timestamp).toBe('string');
    client.send({ action: 'subscribe', exchange: 'kraken', symbol: 'BTC/USDC', timeframe: '1m' });
    expect((await client.next()).type).toBe('subscription_confirmed');
  });

  it('answers binary frames with an error', async () => {
    const client = await open();
    client.socket.send(Buffer.from([1, 2, 3]));
    expect((await client.next()).message).toMatch(/Binary/);
  });

  it('caps subscriptions per socket', async () => {
    const client = await open();
    for (const timeframe of ['1m', '5m', '1h']) {
      client.send({ action: 'subscribe', exchange: 'kraken', symbol: 'BTC/USDC', timeframe });
      expect((await client.next()).type).toBe('subscription_confirmed');
    }
    client.send({ action: 'subscribe', exchange: 'kraken', symbol: 'BTC/USDC', timeframe: '1d' });
    expect((await client.next()).message).toMatch(/Too many subscriptions \(at most 3/);
  });

  it('closes the socket with 1009 on a message over 64 KB', async () => {
    const client = await open();
    client.send(JSON.stringify({ action: 'subscribe', pad: 'x'.repeat(70 * 1024) }));
    expect(await client.closed).toBe(1009);
  });
});
