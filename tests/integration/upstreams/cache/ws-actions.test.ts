// Every action of the original against data written in fullon_cache's layout
// (as fullon daemons write it), as an admin; streams push on change only.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, startCacheHarness, type CacheHarness, type TestClient } from './harness.ts';

describe('cache actions on fullon\'s Redis layout', () => {
  let h: CacheHarness;
  let client: TestClient;
  beforeEach(async () => {
    h = await startCacheHarness();
    client = await h.connect('/ws', ADMIN);
  });
  afterEach(() => h.close());

  it('orders: status, queue length and queue stream from order_status:{ex_id}, counted as fullon_cache get_orders does', async () => {
    await h.redis.hset(h.layout.orderStatus('3'), 'o1', JSON.stringify({ ex_order_id: 'X1', symbol: 'BTC/USDT', side: 'buy', volume: 2, final_volume: 0.5, price: 50, status: 'open', order_type: 'limit', timestamp: 5 }));
    expect((await client.request('get_order_status', { exchange: 3, order_id: 'o1' })).result).toEqual({
      order_id: 'X1', symbol: 'BTC/USDT', exchange: '3', side: 'buy', amount: 2, price: 50, filled: 0.5, remaining: 1.5, status: 'open', order_type: 'limit', timestamp: 5, last_update: 5,
    });
    expect(await client.request('get_order_status', { exchange: 3, order_id: 'zz' })).toMatchObject({ error_code: 'ORDER_NOT_FOUND' });
    // Entries that are not JSON objects are not orders (fullon_cache skips them too).
    await h.redis.hset(h.layout.orderStatus('3'), 'o2', JSON.stringify({ ex_order_id: 'X2', status: 'open' }), 'junk', 'not json');
    expect((await client.request('get_queue_length', { exchange: 3 })).result).toMatchObject({ exchange: '3', queue_length: 2 });
    await client.request('stream_order_queue', { exchange: 3 }, 'q');
    expect((await client.next((m) => m.action === 'queue_update')).result).toMatchObject({ stream_key: expect.stringMatching(/:q$/), queue_length: 2 });
    await h.redis.hset(h.layout.orderStatus('3'), 'o3', JSON.stringify({ ex_order_id: 'X3', status: 'open' }));
    expect((await client.next((m) => m.action === 'queue_update')).result).toMatchObject({ queue_length: 3 });
  });

  it('trades: public list trades:{exchange}:{symbol without "/"} and its stream', async () => {
    await h.redis.rpush(h.layout.trades('kraken', 'BTC/USDT'), JSON.stringify({ price: 1 }), JSON.stringify({ price: 2 }));
    expect((await client.request('get_trades', { exchange: 'kraken', symbol: 'BTC/USDT', limit: 1 })).result).toEqual({ exchange: 'kraken', symbol: 'BTC/USDT', trades: [{ price: 2 }], count: 1 });
    await client.request('stream_trade_updates', { exchange: 'kraken', symbol: 'BTC/USDT' }, 't');
    await client.next((m) => m.action === 'trade_update');
    await h.redis.rpush(h.layout.trades('kraken', 'BTC/USDT'), JSON.stringify({ price: 3 }));
    const update = await client.next((m) => m.action === 'trade_update');
    expect((update.result as { trades: unknown[] }).trades.at(-1)).toEqual({ price: 3 });
  });

  it('accounts: positions from account_positions and their stream', async () => {
    await h.redis.hset(h.layout.accountPositions(), '4', JSON.stringify({ 'BTC/USDT': { cost: 100, volume: -2, fee: 1, count: 1, price: 50, timestamp: 9 }, timestamp: 9 }));
    const positions = (await client.request('get_positions', { exchange: 4 })).result as { positions: unknown[]; count: number };
    expect(positions.count).toBe(1);
    expect(positions.positions[0]).toMatchObject({ symbol: 'BTC/USDT', exchange: 4, side: 'short', size: 2, entry_price: 50, cost: 100 });
    await client.request('stream_positions', { exchange: 4 }, 'p');
    await client.next((m) => m.action === 'position_update');
    await h.redis.hset(h.layout.accountPositions(), '4', JSON.stringify({ 'BTC/USDT': { volume: 1, price: 60 } }));
    const update = await client.next((m) => m.action === 'position_update');
    expect((update.result as { positions: unknown[] }).positions).toEqual([expect.objectContaining({ side: 'long', size: 1, entry_price: 60 })]);
  });

  it('bots: is_blocked from block_exchange ("{ex_id}:{symbol}" → bot_id)', async () => {
    await h.redis.hset(h.layout.blockExchange(), '3:BTC/USDT', '12');
    expect((await client.request('is_blocked', { exchange: 3, symbol: 'BTC/USDT' })).result).toMatchObject({ is_blocked: true, blocked_by: '12' });
    expect((await client.request('is_blocked', { exchange: 3, symbol: 'ETH/USDT' })).result).toMatchObject({ is_blocked: false, blocked_by: null });
  });

  it('ohlcv: latest bars from ohlcv:{symbol}:{timeframe} and the bar stream', async () => {
    const bars = [[1, 1, 2, 0.5, 1.5, 10], [2, 1.5, 3, 1, 2, 11], [3, 2, 2, 2, 2, 1]];
    await h.redis.rpush(h.layout.ohlcv('BTC/USDT', '1m'), ...bars.map((bar) => JSON.stringify(bar)));
    expect((await client.request('get_latest_ohlcv_bars', { symbol: 'BTC/USDT', timeframe: '1m', count: 2 })).result).toEqual({ symbol: 'BTC/USDT', timeframe: '1m', bars: bars.slice(1), count: 2 });
    expect(await client.request('get_latest_ohlcv_bars', { symbol: 'BTC/USDT', timeframe: '1m', count: 0 })).toMatchObject({ error_code: 'INVALID_PARAMS' });
    await client.request('stream_ohlcv', { symbol: 'BTC/USDT', timeframe: '1m' }, 'o');
    expect((await client.next((m) => m.action === 'ohlcv_update')).result).toMatchObject({ bar: bars[2] });
    await h.redis.rpush(h.layout.ohlcv('BTC/USDT', '1m'), JSON.stringify([4, 2, 5, 2, 4, 7]));
    expect((await client.next((m) => m.action === 'ohlcv_update')).result).toMatchObject({ bar: [4, 2, 5, 2, 4, 7] });
  });

  it('process: active processes, system health and broadcasts on process:broadcast:{type}', async () => {
    await h.redis.hset(h.layout.activeProcesses('tick'), 'p1', JSON.stringify({ component: 'kraken' }));
    await h.redis.set(h.layout.processData('p1'), JSON.stringify({ status: 'running', message: 'ok' }), 'EX', 86400);
    await h.redis.hset(h.layout.components(), 'ticker', JSON.stringify({ ok: true }));
    const active = (await client.request('get_active_processes', { process_type: 'tick' })).result as { processes: unknown[] };
    expect(active.processes).toEqual([{ process_id: 'p1', process_type: 'tick', registration: { component: 'kraken' }, data: { status: 'running', message: 'ok' } }]);
    const health = (await client.request('get_system_health')).result as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'healthy', total_processes: 1, components: { ticker: { ok: true } } });
    await client.request('stream_process_health', { process_type: 'tick' }, 'ph');
    await h.redis.publish(h.layout.processChannel('tick'), JSON.stringify({ process_id: 'p1', status: 'stopped' }));
    expect((await client.next((m) => m.action === 'process_update')).result).toMatchObject({ process_type: 'tick', data: { process_id: 'p1', status: 'stopped' } });
  });

  it('stream updates are pushed on change only, not on every poll', async () => {
    await h.redis.hset(h.layout.orderStatus('8'), 'a', JSON.stringify({ status: 'open' }));
    await client.request('stream_order_queue', { exchange: 8 }, 'q');
    await client.next((m) => m.action === 'queue_update');
    // Many poll intervals (20 ms) without a change...
    await h.redis.hset(h.layout.orderStatus('8'), 'b', JSON.stringify({ status: 'open' }));
    await client.next((m) => m.action === 'queue_update' && (m.result as { queue_length: number }).queue_length === 2);
    await client.sync();
    expect(client.messages.filter((m) => m.action === 'queue_update')).toHaveLength(2);
  });
});
