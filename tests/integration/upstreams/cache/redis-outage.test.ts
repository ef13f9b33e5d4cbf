// A Redis outage, made by cutting a TCP proxy in front of the real Redis:
// subscribers get CACHE_ERROR, /health turns 503, ioredis reconnects by itself
// and streams resume without the client subscribing again.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisStore } from '../../../../upstreams/cache/store/redis-store.ts';
import { workerRedis } from '../../../helpers/isolation.ts';
import { ADMIN, ALICE, startCacheHarness, type CacheHarness } from './harness.ts';
import { startCuttableProxy, type CuttableProxy } from './tcp-proxy.ts';

describe('cache during a Redis outage', () => {
  let proxy: CuttableProxy;
  let h: CacheHarness;
  beforeEach(async () => {
    const target = new URL(workerRedis().url);
    proxy = await startCuttableProxy(target.hostname, Number(target.port || 6379));
    const viaProxy = `redis://127.0.0.1:${proxy.port}/${workerRedis().db}`;
    h = await startCacheHarness({ settings: { pollIntervalMs: 20 }, store: () => new RedisStore({ url: viaProxy, commandTimeoutMs: 500 }) });
  });
  afterEach(async () => {
    proxy.restore();
    await h.close();
    await proxy.close();
  });

  const health = async () => {
    const response = await fetch(`${h.url}/health`);
    return { status: response.status, body: (await response.json()) as { status: string; redis: { ok: boolean; error?: string } } };
  };

  it('reports CACHE_ERROR to subscribers and 503 on /health, then resumes streams by itself', async () => {
    expect((await health()).status).toBe(200);
    await h.redis.hset(h.layout.orderStatus('1'), 'a', JSON.stringify({ order_id: 'a', status: 'open' }));
    const client = await h.connect('/ws', ADMIN);
    await client.request('stream_tickers', { exchange: 'kraken', symbols: ['BTC/USDT'] }, 'tick');
    await client.request('stream_order_queue', { exchange: 1 }, 'queue');
    await client.next((m) => m.action === 'queue_update');

    proxy.cut();
    const errors = await Promise.all(['tick', 'queue'].map((id) => client.next((m) => m.request_id === id && m.error_code === 'CACHE_ERROR')));
    expect(errors[0]).toMatchObject({ success: false, error_code: 'CACHE_ERROR', stream_key: expect.stringMatching(/:tick$/) });
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'degraded', service: 'cache_api', redis: { ok: false } });
    // One-shot reads fail fast with CACHE_ERROR meanwhile.
    expect(await client.request('get_ticker', { exchange: 'kraken', symbol: 'BTC/USDT' })).toMatchObject({ error_code: 'CACHE_ERROR' });

    proxy.restore();
    await expect.poll(async () => (await health()).status, { timeout: 15_000 }).toBe(200);
    // The subscriber connection re-subscribed on its own: a fullon publish arrives.
    await expect
      .poll(
        async () => {
          await h.redis.publish(h.layout.tickerChannel('kraken', 'BTC/USDT'), JSON.stringify({ symbol: 'BTC/USDT', exchange: 'kraken', price: 7 }));
          return client.messages.some((m) => m.action === 'ticker_update');
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    await h.redis.hset(h.layout.orderStatus('1'), 'b', JSON.stringify({ order_id: 'b', status: 'open' }));
    await client.next((m) => m.action === 'queue_update' && (m.result as { queue_length: number }).queue_length === 2);
  });

  it('gives a new user the same CACHE_ERROR for reads while down', async () => {
    proxy.cut();
    await expect.poll(async () => (await health()).status).toBe(503);
    const client = await h.connect('/ws', ALICE);
    expect(await client.request('get_all_tickers', { exchange: 'kraken' })).toMatchObject({ error_code: 'CACHE_ERROR', error: 'Failed to retrieve tickers' });
  });
});
