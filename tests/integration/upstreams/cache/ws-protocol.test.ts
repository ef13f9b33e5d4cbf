// The WebSocket protocol of fullon_cache_api over real Redis: authenticated
// upgrades, get/stream/unsubscribe for tickers, and every bad input the issue lists.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, ALICE, startCacheHarness, UpgradeRefused, type CacheHarness } from './harness.ts';

const tick = (exchange: string, symbol: string, price: number) => JSON.stringify({ symbol, exchange, price, volume: 1, time: 1_700_000_000, bid: price - 1, ask: price + 1, last: price });

describe('cache WebSocket protocol', () => {
  let h: CacheHarness;
  beforeEach(async () => {
    h = await startCacheHarness();
    await h.redis.hset(h.layout.tickers('kraken'), 'BTC/USDT', tick('kraken', 'BTC/USDT', 100), 'ETH/USDT', tick('kraken', 'ETH/USDT', 10));
  });
  afterEach(() => h.close());

  it.each(['/ws', '/ws/tickers/abc', '/ws/process/abc'])('refuses an upgrade to %s without a gateway assertion with HTTP 401', async (path) => {
    await expect(h.connect(path, null)).rejects.toMatchObject({ status: 401 });
  });

  it('refuses an upgrade whose assertion was made for another upstream', async () => {
    const { signTestAssertion } = await import('../../../helpers/assertion.ts');
    const { TestClient } = await import('./harness.ts');
    const wrong = await signTestAssertion('orm_api', ALICE);
    await expect(TestClient.open(`${h.wsUrl}/ws`, { headers: { 'x-gateway-assertion': wrong } })).rejects.toBeInstanceOf(UpgradeRefused);
  });

  it('answers get_ticker and get_all_tickers from fullon\'s tickers hash', async () => {
    const client = await h.connect('/ws/tickers/c1', ALICE);
    const one = await client.request('get_ticker', { exchange: 'kraken', symbol: 'BTC/USDT' }, 'a');
    expect(one).toEqual({
      request_id: 'a',
      action: 'get_ticker',
      success: true,
      result: { symbol: 'BTC/USDT', exchange: 'kraken', price: 100, volume: 1, timestamp: 1_700_000_000, bid: 99, ask: 101, change_24h: 0 },
    });
    const all = await client.request('get_all_tickers', { exchange: 'kraken' });
    expect((all.result as { tickers: { symbol: string }[] }).tickers.map((t) => t.symbol)).toEqual(['BTC/USDT', 'ETH/USDT']);
    const missing = await client.request('get_ticker', { exchange: 'kraken', symbol: 'DOGE/USDT' }, 'm');
    expect(missing).toMatchObject({ request_id: 'm', success: false, error_code: 'TICKER_NOT_FOUND' });
  });

  it('streams ticker updates published on fullon\'s channel until unsubscribed', async () => {
    const client = await h.connect('/ws/tickers/conn-9', ALICE);
    const started = await client.request('stream_tickers', { exchange: 'kraken', symbols: ['BTC/USDT'] }, 's1');
    expect(started).toEqual({ request_id: 's1', action: 'stream_tickers', success: true, message: 'Streaming started for 1 symbols on kraken', stream_key: 'conn-9:s1' });
    await h.redis.publish(h.layout.tickerChannel('kraken', 'BTC/USDT'), tick('kraken', 'BTC/USDT', 105));
    const update = await client.next((m) => m.action === 'ticker_update');
    expect(update).toEqual({
      request_id: 's1',
      action: 'ticker_update',
      result: { stream_key: 'conn-9:s1', symbol: 'BTC/USDT', exchange: 'kraken', price: 105, volume: 1, timestamp: 1_700_000_000, bid: 104, ask: 106, change_24h: 0 },
    });
    // Another symbol's channel is not part of this stream.
    await h.redis.publish(h.layout.tickerChannel('kraken', 'ETH/USDT'), tick('kraken', 'ETH/USDT', 11));
    const off = await client.request('unsubscribe', { stream_key: 'conn-9:s1' }, 'u');
    expect(off).toEqual({ request_id: 'u', action: 'unsubscribe', success: true, result: { stream_key: 'conn-9:s1', unsubscribed: true } });
    await h.redis.publish(h.layout.tickerChannel('kraken', 'BTC/USDT'), tick('kraken', 'BTC/USDT', 110));
    await client.sync();
    await expect.poll(() => h.cache.hub.size).toBe(0);
    expect(client.updates('conn-9:s1')).toHaveLength(1);
  });

  it('reads the hash when a channel message is not a tick (fullon variants that publish a bare symbol)', async () => {
    const client = await h.connect('/ws', ALICE);
    await client.request('stream_tickers', { exchange: 'kraken', symbols: ['ETH/USDT'] }, 's');
    await h.redis.publish(h.layout.tickerChannel('kraken', 'ETH/USDT'), 'updated');
    const update = await client.next((m) => m.action === 'ticker_update');
    expect(update.result).toMatchObject({ symbol: 'ETH/USDT', price: 10 });
  });

  it.each([
    ['malformed JSON', '{"action": ', { request_id: null, success: false, error_code: 'MALFORMED_MESSAGE', error: 'Malformed JSON message' }],
    ['a JSON array', '[1,2]', { request_id: null, error_code: 'MALFORMED_MESSAGE' }],
    ['an unknown action', { action: 'drop_tables', request_id: 'x' }, { request_id: 'x', error_code: 'INVALID_OPERATION', error: "Operation 'drop_tables' not implemented" }],
    ['no action', { request_id: 'x' }, { request_id: 'x', error_code: 'INVALID_OPERATION' }],
    ['another path\'s action', { action: 'get_balance', request_id: 'x', params: { user_id: 1, currency: 'USDT' } }, { error_code: 'INVALID_OPERATION' }],
    ['missing params', { action: 'get_ticker', request_id: 'x' }, { request_id: 'x', error_code: 'INVALID_PARAMS', error: 'exchange and symbol parameters required' }],
    ['params that are not an object', { action: 'get_ticker', request_id: 'x', params: [1] }, { error_code: 'INVALID_PARAMS' }],
    ['a symbol list that is not a list', { action: 'stream_tickers', request_id: 'x', params: { exchange: 'kraken', symbols: 'BTC/USDT' } }, { error_code: 'INVALID_PARAMS' }],
    ['too many symbols', { action: 'stream_tickers', request_id: 'x', params: { exchange: 'kraken', symbols: Array.from({ length: 201 }, (_, i) => `S${i}`) } }, { error_code: 'INVALID_PARAMS' }],
    ['unsubscribe without stream_key', { action: 'unsubscribe', request_id: 'x', params: {} }, { error_code: 'INVALID_PARAMS' }],
    ['unsubscribe of an unknown stream', { action: 'unsubscribe', request_id: 'x', params: { stream_key: 'nope' } }, { error_code: 'STREAM_NOT_FOUND' }],
  ])('answers %s with the original error code', async (_name, message, expected) => {
    const client = await h.connect('/ws/tickers/bad', ALICE);
    const reply = client.next((m) => m.success === false);
    client.send(message);
    expect(await reply).toMatchObject({ success: false, ...expected });
  });

  it('refuses a second stream with the same request_id', async () => {
    const client = await h.connect('/ws/tickers/dup', ALICE);
    await client.request('stream_tickers', { exchange: 'kraken', symbols: ['BTC/USDT'] }, 'same');
    const again = await client.request('stream_tickers', { exchange: 'kraken', symbols: ['ETH/USDT'] }, 'same');
    expect(again).toMatchObject({ success: false, error_code: 'INVALID_OPERATION' });
  });

  it('answers ping', async () => {
    const client = await h.connect('/ws', ALICE);
    expect(await client.request('ping', {}, 'p')).toMatchObject({ request_id: 'p', action: 'ping', success: true, result: { pong: true } });
  });

  it('closes a socket sending a 1 MB message with 1009 and keeps serving others', async () => {
    const client = await h.connect('/ws', ALICE);
    client.send(JSON.stringify({ action: 'ping', request_id: 'big', params: { pad: 'x'.repeat(1024 * 1024) } }));
    expect((await client.closed).code).toBe(1009);
    const other = await h.connect('/ws', ADMIN);
    expect(await other.request('ping')).toMatchObject({ success: true });
  });

  it('caps subscriptions per socket: thousands of stream requests do not grow state past the cap', async () => {
    const client = await h.connect('/ws/tickers/many', ALICE);
    const replies = [];
    for (let batch = 0; batch < 40; batch++) {
      replies.push(
        ...(await Promise.all(Array.from({ length: 50 }, (_, i) => client.request('stream_tickers', { exchange: 'kraken', symbols: [`S${batch}-${i}`] }, `m${batch}-${i}`)))),
      );
    }
    const accepted = replies.filter((r) => r.success === true).length;
    expect(accepted).toBe(500);
    expect(replies.filter((r) => r.error_code === 'INVALID_OPERATION')).toHaveLength(1500);
    expect(h.cache.hub.size).toBeLessThanOrEqual(500);
    client.socket.close();
    await client.closed;
    await expect.poll(() => h.cache.hub.size).toBe(0);
  });
});
