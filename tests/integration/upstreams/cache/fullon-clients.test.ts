// What fullon clients send the cache (issue 15 items 9 and 10): exchange names
// where fullon_cache takes them (queue length counted as its get_orders counts),
// requests keyed `operation`, the health_check operation, and the per-stream
// WebSocket paths of example_cache_websocket.py; with the bad inputs of each.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, ALICE, UpgradeRefused, startCacheHarness, type CacheHarness, type Message, type TestClient } from './harness.ts';

const order = (fields: Record<string, unknown>) => JSON.stringify({ symbol: 'BTC/USDT', side: 'buy', volume: 1, status: 'open', ...fields });

describe('cache parameters as fullon_cache takes them', () => {
  let h: CacheHarness;
  let admin: TestClient;
  let alice: TestClient;
  beforeEach(async () => {
    h = await startCacheHarness();
    h.orm.owners.set(ALICE.userId, { ex_ids: [1], bot_ids: [9] });
    // fullon_cache's save_order("binance", order): every user's orders on binance in one hash.
    await h.redis.hset(h.layout.orderStatus('binance'),
      'a1', order({ uid: 7, ex_id: 1 }),
      'a2', order({ ex_id: 1, volume: 2 }),
      'b1', order({ uid: 8, ex_id: 2 }),
      'junk', 'not an order');
    await h.redis.hset(h.layout.blockExchange(), 'binance:BTC/USDT', '9', 'binance:ETH/USDT', '10');
    admin = await h.connect('/ws', ADMIN);
    alice = await h.connect('/ws', ALICE);
  });
  afterEach(() => h.close());

  it('counts the orders of order_status:{name} for get_queue_length, as get_orders does', async () => {
    expect(await admin.request('get_queue_length', { exchange: 'binance' })).toMatchObject({ success: true, result: { exchange: 'binance', queue_length: 3 } });
  });

  it('counts only a user\'s own orders (uid or owned ex_id) under an exchange name', async () => {
    expect((await alice.request('get_queue_length', { exchange: 'binance' })).result).toMatchObject({ queue_length: 2 });
  });

  it('answers 0 for an exchange nobody wrote', async () => {
    expect((await admin.request('get_queue_length', { exchange: 'nosuchexchange' })).result).toMatchObject({ exchange: 'nosuchexchange', queue_length: 0 });
  });

  it('streams the queue length of an exchange name and pushes its changes', async () => {
    await alice.request('stream_order_queue', { exchange: 'binance' }, 'q');
    expect((await alice.next((m) => m.action === 'queue_update')).result).toMatchObject({ exchange: 'binance', queue_length: 2 });
    // Someone else's order changes nothing Alice sees; her own does.
    await h.redis.hset(h.layout.orderStatus('binance'), 'b2', order({ uid: 8, ex_id: 2 }));
    await h.redis.hset(h.layout.orderStatus('binance'), 'a3', order({ uid: 7 }));
    expect((await alice.next((m) => m.action === 'queue_update')).result).toMatchObject({ queue_length: 3 });
    await alice.sync();
    expect(alice.messages.filter((m) => m.action === 'queue_update')).toHaveLength(2);
  });

  it('reads one order by exchange name, hiding other users\' orders as missing', async () => {
    expect(await alice.request('get_order_status', { exchange: 'binance', order_id: 'a2' })).toMatchObject({ success: true, result: { exchange: 'binance', amount: 2 } });
    const other = await alice.request('get_order_status', { exchange: 'binance', order_id: 'b1' }, 'x');
    const missing = await alice.request('get_order_status', { exchange: 'binance', order_id: 'zz' }, 'x');
    expect(other).toEqual({ ...missing, error: 'Order b1 not found' });
    expect(other).toMatchObject({ error_code: 'ORDER_NOT_FOUND' });
  });

  it('answers is_blocked for an exchange name, naming the bot only to its owner or an admin', async () => {
    expect((await admin.request('is_blocked', { exchange: 'binance', symbol: 'ETH/USDT' })).result).toMatchObject({ exchange: 'binance', is_blocked: true, blocked_by: '10' });
    expect((await alice.request('is_blocked', { exchange: 'binance', symbol: 'BTC/USDT' })).result).toMatchObject({ is_blocked: true, blocked_by: '9' });
    expect((await alice.request('is_blocked', { exchange: 'binance', symbol: 'ETH/USDT' })).result).toMatchObject({ is_blocked: true, blocked_by: null });
    expect((await alice.request('is_blocked', { exchange: 'binance', symbol: 'SOL/USDT' })).result).toMatchObject({ is_blocked: false, blocked_by: null });
  });

  it('still takes an ex_id, with the owner check of before', async () => {
    await h.redis.hset(h.layout.orderStatus('1'), 'o1', order({}));
    expect((await alice.request('get_queue_length', { exchange: '1' })).result).toMatchObject({ exchange: '1', queue_length: 1 });
    expect(await alice.request('get_queue_length', { ex_id: 2 })).toMatchObject({ error_code: 'ORDER_NOT_FOUND' });
  });

  it.each([
    ['get_queue_length', { exchange: '../binance' }],
    ['get_queue_length', { exchange: 'bin ance' }],
    ['get_queue_length', { exchange: 'binance:BTC' }],
    ['get_queue_length', { exchange: -1 }],
    ['get_queue_length', { exchange: 1.5 }],
    ['get_queue_length', { exchange: { name: 'binance' } }],
    ['get_queue_length', { exchange: 'x'.repeat(65) }],
    ['get_queue_length', {}],
    ['stream_order_queue', { exchange: '*' }],
    ['is_blocked', { exchange: 'binance' }],
    ['is_blocked', { exchange: 'bin/ance', symbol: 'BTC/USDT' }],
    ['get_order_status', { exchange: 'binance' }],
  ])('refuses %s with %j as INVALID_PARAMS', async (action, params) => {
    expect(await admin.request(action, params)).toMatchObject({ success: false, error_code: 'INVALID_PARAMS' });
  });
});

describe('cache messages as fullon_cache_api clients send them', () => {
  let h: CacheHarness;
  let client: TestClient;
  beforeEach(async () => {
    h = await startCacheHarness();
    client = await h.connect('/ws', ADMIN);
  });
  afterEach(() => h.close());

  const send = (message: Record<string, unknown>) => {
    const reply = client.next((m) => m.request_id === message.request_id);
    client.send(message);
    return reply;
  };

  it('takes `operation` where it takes `action`', async () => {
    await h.redis.hset(h.layout.tickers('kraken'), 'BTC/USDT', JSON.stringify({ price: 5 }));
    expect(await send({ request_id: 'o1', operation: 'get_ticker', params: { exchange: 'kraken', symbol: 'BTC/USDT' } })).toMatchObject({ success: true, action: 'get_ticker', result: { price: 5 } });
    expect(await send({ request_id: 'o2', operation: 'ping' })).toMatchObject({ success: true, result: { status: 'ok' } });
  });

  it('answers health_check on /ws with the websocket and cache parts', async () => {
    const reply = await send({ request_id: 'h', operation: 'health_check', params: {} });
    expect(reply).toMatchObject({ success: true, action: 'health_check', result: { websocket: { status: 'healthy', transport: 'websocket' }, cache: { status: 'healthy', store: 'redis' } } });
    expect(typeof (reply.result as { cache: { latency_ms: number } }).cache.latency_ms).toBe('number');
  });

  it.each([
    [{ request_id: 'u1', operation: 'drop_everything' }, /Operation 'drop_everything' not implemented/],
    [{ request_id: 'u2', operation: 42 }, /not implemented/],
    [{ request_id: 'u3', params: {} }, /not implemented/],
    [{ request_id: 'u4', operation: 'x'.repeat(5000) }, /^Operation 'x{100}' not implemented$/],
  ])('refuses an unknown operation %#', async (message, error) => {
    expect(await send(message)).toMatchObject({ success: false, error_code: 'INVALID_OPERATION', error: expect.stringMatching(error) });
  });
});

describe('per-stream WebSocket paths of example_cache_websocket.py', () => {
  let h: CacheHarness;
  beforeEach(async () => {
    h = await startCacheHarness();
    h.orm.owners.set(ALICE.userId, { ex_ids: [1], bot_ids: [] });
  });
  afterEach(() => h.close());

  const nextFrame = (client: TestClient, match: (m: Message) => boolean = () => true) => client.next(match);

  it.each(['/ws/tickers/kraken/BTC/USDC', '/ws/tickers/kraken/BTC%2FUSDC'])('%s pushes the ticker, then each update, as plain Tick objects', async (path) => {
    await h.redis.hset(h.layout.tickers('kraken'), 'BTC/USDC', JSON.stringify({ symbol: 'BTC/USDC', exchange: 'kraken', price: 100, bid: 99, ask: 101, volume: 3, time: 1700000000 }));
    const client = await h.connect(path, ALICE);
    expect(await nextFrame(client)).toMatchObject({ symbol: 'BTC/USDC', exchange: 'kraken', price: 100, bid: 99, ask: 101, volume: 3, time: 1700000000 });
    await expect.poll(async () => {
      await h.redis.publish(h.layout.tickerChannel('kraken', 'BTC/USDC'), JSON.stringify({ symbol: 'BTC/USDC', exchange: 'kraken', price: 101, bid: 100, ask: 102, volume: 4, time: 1700000001 }));
      return client.messages.some((m) => m.price === 101);
    }).toBe(true);
  });

  it('a ticker feed and a stream_tickers request on the same pair each get their own frames', async () => {
    const protocol = await h.connect('/ws', ALICE);
    await protocol.request('stream_tickers', { exchange: 'kraken', symbols: ['SOL/USDC'] }, 's');
    const feed = await h.connect('/ws/tickers/kraken/SOL%2FUSDC', ALICE);
    await expect.poll(async () => {
      await h.redis.publish(h.layout.tickerChannel('kraken', 'SOL/USDC'), JSON.stringify({ price: 7, bid: 6, ask: 8, volume: 1, time: 5 }));
      return feed.messages.length > 0 && protocol.messages.some((m) => m.action === 'ticker_update');
    }).toBe(true);
    expect(feed.messages[0]).toMatchObject({ symbol: 'SOL/USDC', price: 7, time: 5 });
    expect(protocol.messages.find((m) => m.action === 'ticker_update')).toMatchObject({ request_id: 's', result: { symbol: 'SOL/USDC', price: 7 } });
  });

  it('a ticker path also answers requests of the tickers group', async () => {
    const client = await h.connect('/ws/tickers/kraken/ETH/USDC', ALICE);
    expect(await client.request('get_all_tickers', { exchange: 'kraken' })).toMatchObject({ success: true, result: { exchange: 'kraken' } });
  });

  it('/ws/trades/{exchange}/{symbol} pushes the newest trades, then each new one, with numeric price/volume', async () => {
    const key = h.layout.trades('kraken', 'BTC/USDT');
    await h.redis.rpush(key, ...Array.from({ length: 12 }, (_, i) => JSON.stringify({ price: i, volume: 0.5, side: 'BUY', time: i })));
    const client = await h.connect('/ws/trades/kraken/BTC%2FUSDT', ALICE);
    await client.next((m) => m.price === 11);
    expect(client.messages.map((m) => m.price)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(client.messages[0]).toMatchObject({ exchange: 'kraken', symbol: 'BTC/USDT', side: 'buy', volume: 0.5, timestamp: 2 });
    await h.redis.rpush(key, JSON.stringify({ price: '12.5', volume: 'x', side: null }));
    expect(await client.next((m) => m.price === 12.5)).toMatchObject({ volume: 0, side: 'unknown', timestamp: null });
  });

  it('/ws/orders/{exchange} pushes the orders the user may see, then changes, and stops at the first request', async () => {
    await h.redis.hset(h.layout.orderStatus('binance'), 'mine', order({ uid: 7 }), 'theirs', order({ uid: 8 }));
    const client = await h.connect('/ws/orders/binance', ALICE);
    expect(await client.next()).toMatchObject({ order_id: 'mine', exchange: 'binance', volume: 1, status: 'open' });
    await h.redis.hset(h.layout.orderStatus('binance'), 'mine', order({ uid: 7, status: 'filled' }), 'theirs', order({ uid: 8, status: 'filled' }));
    expect(await client.next((m) => m.status === 'filled')).toMatchObject({ order_id: 'mine' });
    // A request turns it into the request protocol's /ws/orders/{connection_id}.
    expect(await client.request('get_queue_length', { exchange: 'binance' })).toMatchObject({ success: true, result: { queue_length: 1 } });
    await h.redis.hset(h.layout.orderStatus('binance'), 'mine', order({ uid: 7, status: 'canceled' }));
    await client.request('stream_order_queue', { exchange: 'binance' }, 'q');
    await client.sync();
    expect(client.messages.some((m) => m.status === 'canceled')).toBe(false);
    expect(client.messages.some((m) => m.order_id === 'theirs')).toBe(false);
  });

  it('/ws/balances/{ex_id} pushes the owner\'s balances as {currency: {total, free, used}}', async () => {
    await h.redis.hset(h.layout.accounts(), '1', JSON.stringify({ USDT: { total: '10', free: 8 }, BTC: { total: 1, free: 1, used: 0 }, date: '2024-01-01' }));
    const client = await h.connect('/ws/balances/1', ALICE);
    expect(await client.next()).toEqual({ ex_id: 1, USDT: { total: 10, free: 8, used: 2 }, BTC: { total: 1, free: 1, used: 0 }, date: '2024-01-01' });
    await h.redis.hset(h.layout.accounts(), '1', JSON.stringify({ USDT: { total: 11, free: 11, used: 0 } }));
    expect(await client.next((m) => (m.USDT as { total: number } | undefined)?.total === 11)).toBeTruthy();
  });

  it('/ws/balances/{ex_id} of someone else answers BALANCE_NOT_FOUND and closes with 1008', async () => {
    const client = await h.connect('/ws/balances/2', ALICE);
    expect(await client.next()).toMatchObject({ success: false, error_code: 'BALANCE_NOT_FOUND' });
    expect((await client.closed).code).toBe(1008);
  });

  it.each([
    ['/ws/tickers/kraken/a%2F..%2Fb', 422],
    ['/ws/tickers/kraken/..%2Fetc', 422],
    ['/ws/trades/kraken/BTC%252FUSDT', 422],
    ['/ws/tickers/kr%20aken/BTC/USDC', 422],
    ['/ws/trades/..%2F..%2Fx/BTC', 422],
    ['/ws/tickers/kraken/BTC%2F', 422],
    ['/ws/balances/abc', 422],
    ['/ws/balances/-1', 422],
  ])('refuses %s before the upgrade with %i', async (path, status) => {
    await expect(h.connect(path, ALICE)).rejects.toEqual(new UpgradeRefused(status));
  });

  it('refuses a feed path without a gateway assertion with 401', async () => {
    await expect(h.connect('/ws/tickers/kraken/BTC/USDC', null)).rejects.toEqual(new UpgradeRefused(401));
  });
});

describe('cache HTTP routes with URL-encoded symbols, and the OpenAPI document', () => {
  let h: CacheHarness;
  beforeEach(async () => {
    h = await startCacheHarness();
  });
  afterEach(() => h.close());

  const call = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const headers: Record<string, string> = { 'x-gateway-assertion': await h.assertion(ADMIN) };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${h.url}${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  it('decodes BTC%2FUSDT once: written and read under BTC/USDT', async () => {
    expect((await call('/tickers/kraken/BTC%2FUSDT', { method: 'POST', body: { price: 5, unknown_field: 'ignored' } })).status).toBe(201);
    expect(await h.redis.hget(h.layout.tickers('kraken'), 'BTC/USDT')).toContain('"price":5');
    expect((await call('/tickers/kraken/BTC/USDT')).body).toMatchObject({ symbol: 'BTC/USDT', price: 5 });
    expect((await call('/tickers/kraken/BTC%2FUSD%3ABTC')).status).toBe(404);
  });

  it.each([
    ['/tickers/kraken/BTC%252FUSDT', 'symbol'],
    ['/tickers/kraken/a%2F..%2Fb', 'symbol'],
    ['/tickers/kraken/%25', 'symbol'],
    ['/tickers/kraken/BTC%2F', 'symbol'],
    ['/tickers/kr%20aken/BTC%2FUSDT', 'exchange'],
    ['/tickers/..%2Fx', 'exchange'],
  ])('refuses %s with a 422 naming the %s', async (path, field) => {
    const { status, body } = await call(path);
    expect(status).toBe(422);
    expect(body.detail[0].loc).toEqual(['path', field]);
  });

  it('describes its HTTP routes (WebSocket routes are hidden by @fastify/websocket), and the document validates as OpenAPI 3.1', async () => {
    const { status, body: doc } = await call('/openapi.json');
    expect(status).toBe(200);
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(expect.arrayContaining(['/tickers/{exchange}', '/bots/{id}/status', '/accounts/{id}']));
    const post = doc.paths[paths.find((path) => path.startsWith('/tickers/{exchange}/'))!].post;
    expect(post.requestBody.content['application/json'].schema.properties).toHaveProperty('price');
    expect(await new Validator().validate(doc as Record<string, never>)).toMatchObject({ valid: true });
  });
});
