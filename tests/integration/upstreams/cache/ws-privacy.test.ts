// Privacy over the WebSocket and HTTP: owners (per orm ownership) and admins see
// accounts, positions, orders, user trades and bots; anyone else gets the same
// *_NOT_FOUND a missing record gives; process health is for admins only.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, ALICE, startCacheHarness, type CacheHarness, type TestClient } from './harness.ts';

describe('cache privacy', () => {
  let h: CacheHarness;
  let alice: TestClient;
  beforeEach(async () => {
    h = await startCacheHarness();
    h.orm.owners.set(ALICE.userId, { ex_ids: [1], bot_ids: [9] });
    const account = (usdt: number) => JSON.stringify({ USDT: { total: usdt, free: usdt - 2, used: 2 }, date: '2024-01-01' });
    await h.redis.hset(h.layout.accounts(), '1', account(10), '2', account(20));
    await h.redis.hset(h.layout.accountPositions(), '1', JSON.stringify({ 'BTC/USDT': { cost: 1, volume: 2, fee: 0, count: 1, price: 50, timestamp: 1 } }), '2', JSON.stringify({ 'ETH/USDT': { volume: 1 } }));
    await h.redis.hset(h.layout.orderStatus('1'), 'o1', JSON.stringify({ ex_order_id: 'o1', symbol: 'BTC/USDT', side: 'buy', volume: 2, final_volume: 1, price: 50, status: 'open', order_type: 'limit', timestamp: 5 }));
    await h.redis.hset(h.layout.orderStatus('2'), 'o2', JSON.stringify({ ex_order_id: 'o2', volume: 1 }));
    await h.redis.hset(h.layout.botStatus(), '9', JSON.stringify({ feed0: { status: 'running' } }), '10', JSON.stringify({ feed0: { status: 'stopped' } }));
    await h.redis.rpush(h.layout.userTrades('7', 'kraken'), JSON.stringify({ id: 't7' }));
    await h.redis.rpush(h.layout.userTrades('8', 'kraken'), JSON.stringify({ id: 't8' }));
    alice = await h.connect('/ws', ALICE);
  });
  afterEach(() => h.close());

  it('shows an owner their own balance', async () => {
    const reply = await alice.request('get_balance', { user_id: 1, currency: 'USDT' });
    expect(reply).toMatchObject({ success: true, result: { user_id: 1, currency: 'USDT', total_balance: 10, available_balance: 8, reserved_balance: 2 } });
  });

  it('answers another user\'s balance exactly like a missing one (BALANCE_NOT_FOUND, no existence leak)', async () => {
    const other = await alice.request('get_balance', { user_id: 2, currency: 'USDT' }, 'x');
    const missing = await alice.request('get_balance', { user_id: 3, currency: 'USDT' }, 'x2');
    expect(other).toEqual({ request_id: 'x', success: false, error_code: 'BALANCE_NOT_FOUND', error: 'Balance not found for user 2 USDT' });
    expect(missing).toEqual({ request_id: 'x2', success: false, error_code: 'BALANCE_NOT_FOUND', error: 'Balance not found for user 3 USDT' });
  });

  it.each([
    ['get_positions', { exchange: 2 }, 'POSITIONS_NOT_FOUND'],
    ['stream_positions', { exchange: 2 }, 'POSITIONS_NOT_FOUND'],
    ['get_order_status', { exchange: 2, order_id: 'o2' }, 'ORDER_NOT_FOUND'],
    ['get_queue_length', { exchange: 2 }, 'ORDER_NOT_FOUND'],
    ['stream_order_queue', { exchange: 2 }, 'ORDER_NOT_FOUND'],
    ['get_bot_status', { bot_id: 10 }, 'BOT_NOT_FOUND'],
    ['is_blocked', { exchange: 2, symbol: 'BTC/USDT' }, 'EXCHANGE_NOT_FOUND'],
    ['get_trades', { user_id: 8, exchange: 'kraken' }, 'TRADES_NOT_FOUND'],
    ['stream_trade_updates', { user_id: 8, exchange: 'kraken' }, 'TRADES_NOT_FOUND'],
    ['get_system_health', {}, 'PERMISSION_DENIED'],
    ['get_active_processes', {}, 'PERMISSION_DENIED'],
    ['stream_process_health', {}, 'PERMISSION_DENIED'],
  ])('refuses %s on what the user does not own', async (action, params, code) => {
    expect(await alice.request(action, params)).toMatchObject({ success: false, error_code: code });
  });

  it.each([
    ['get_positions', { exchange: 1 }],
    ['get_order_status', { exchange: 1, order_id: 'o1' }],
    ['get_queue_length', { exchange: 1 }],
    ['get_bot_status', { bot_id: 9 }],
    ['is_blocked', { exchange: 1, symbol: 'BTC/USDT' }],
    ['get_trades', { user_id: 7, exchange: 'kraken' }],
  ])('allows %s on what the user owns', async (action, params) => {
    expect(await alice.request(action, params)).toMatchObject({ success: true });
  });

  it('lists and streams only the user\'s own bots', async () => {
    expect((await alice.request('get_bots')).result).toEqual({ bots: { '9': { feed0: { status: 'running' } } } });
    await alice.request('stream_bot_status', {}, 'sb');
    const first = await alice.next((m) => m.action === 'bot_update');
    expect((first.result as { bots: unknown }).bots).toEqual({ '9': { feed0: { status: 'running' } } });
    // A change to someone else's bot is not pushed; a change to Alice's is.
    await h.redis.hset(h.layout.botStatus(), '10', JSON.stringify({ feed0: { status: 'crashed' } }));
    await h.redis.hset(h.layout.botStatus(), '9', JSON.stringify({ feed0: { status: 'paused' } }));
    const second = await alice.next((m) => m.action === 'bot_update');
    expect((second.result as { bots: unknown }).bots).toEqual({ '9': { feed0: { status: 'paused' } } });
  });

  it('shows admins everything, including process health', async () => {
    const admin = await h.connect('/ws', ADMIN);
    expect(await admin.request('get_balance', { user_id: 2, currency: 'USDT' })).toMatchObject({ success: true, result: { total_balance: 20 } });
    expect(await admin.request('get_bot_status', { bot_id: 10 })).toMatchObject({ success: true, result: { bot_id: '10', status: 'stopped' } });
    expect(await admin.request('get_system_health')).toMatchObject({ success: true, result: { status: 'healthy' } });
    expect(h.orm.requests).toBe(0); // admins never need an ownership lookup
  });

  it('asks orm once per user within the cache TTL', async () => {
    await Promise.all([1, 2, 3].map(() => alice.request('get_balance', { user_id: 1, currency: 'USDT' })));
    await alice.request('get_bot_status', { bot_id: 9 });
    expect(h.orm.requests).toBe(1);
  });

  it('answers INTERNAL_ERROR, not data, when orm cannot be asked', async () => {
    h.orm.failWith = 503;
    const fresh = await h.connect('/ws', { userId: 55, role: 'user' });
    expect(await fresh.request('get_balance', { user_id: 1, currency: 'USDT' })).toMatchObject({ success: false, error_code: 'INTERNAL_ERROR' });
  });

  it('hides another user\'s bot status over HTTP with 404, shows it to the owner and admins', async () => {
    const get = async (botId: number, identity: typeof ALICE) =>
      fetch(`${h.url}/bots/${botId}/status`, { headers: { 'x-gateway-assertion': await h.assertion(identity) } });
    expect((await get(10, ALICE)).status).toBe(404);
    expect((await get(12345, ALICE)).status).toBe(404);
    const own = await get(9, ALICE);
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ bot_id: '9', status: 'running' });
    expect((await get(10, ADMIN)).status).toBe(200);
  });
});
