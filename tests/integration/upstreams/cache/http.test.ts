// HTTP routes of the cache upstream: reads for any authenticated user, writes
// for admins or the cache:write scope (stored in fullon's layout and published
// on fullon's channel), /health, and 401 without an assertion.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, ALICE, startCacheHarness, type CacheHarness } from './harness.ts';

describe('cache HTTP routes', () => {
  let h: CacheHarness;
  beforeEach(async () => {
    h = await startCacheHarness();
  });
  afterEach(() => h.close());

  const call = async (method: string, path: string, identity: typeof ALICE | null, body?: unknown) => {
    const headers: Record<string, string> = identity ? { 'x-gateway-assertion': await h.assertion(identity) } : {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${h.url}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('answers /health without an assertion, with Redis latency', async () => {
    const { status, body } = await call('GET', '/health', null);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', service: 'cache_api', redis: { ok: true, latency_ms: expect.any(Number) } });
  });

  it.each(['/tickers/kraken', '/tickers/kraken/BTC/USDT', '/bots/1/status'])('refuses %s without an assertion (401)', async (path) => {
    expect((await call('GET', path, null)).status).toBe(401);
  });

  it('stores a ticker in fullon\'s layout, publishes it on fullon\'s channel, and reads it back', async () => {
    const heard: string[] = [];
    const subscriber = h.redis.duplicate();
    await subscriber.subscribe(h.layout.tickerChannel('kraken', 'BTC/USDT'));
    subscriber.on('message', (_channel, message) => heard.push(message));
    const admin = { ...ALICE, scopes: ['cache:write'] };
    const written = await call('POST', '/tickers/kraken/BTC/USDT', admin, { price: 101.5, volume: 3, bid: 101, ask: 102, time: 1_700_000_000 });
    expect(written.status).toBe(201);
    const stored = JSON.parse((await h.redis.hget(h.layout.tickers('kraken'), 'BTC/USDT'))!);
    expect(stored).toEqual({ symbol: 'BTC/USDT', exchange: 'kraken', price: 101.5, volume: 3, time: 1_700_000_000, bid: 101, ask: 102, last: 101.5 });
    await expect.poll(() => heard.map((m) => JSON.parse(m))).toEqual([stored]);
    subscriber.disconnect();
    expect((await call('GET', '/tickers/kraken/BTC/USDT', ALICE)).body).toMatchObject({ symbol: 'BTC/USDT', price: 101.5, timestamp: 1_700_000_000 });
    expect((await call('GET', '/tickers/kraken', ALICE)).body).toMatchObject({ exchange: 'kraken', tickers: [expect.objectContaining({ symbol: 'BTC/USDT' })] });
  });

  it('answers 404 for a missing ticker', async () => {
    expect(await call('GET', '/tickers/kraken/NOPE/USDT', ALICE)).toEqual({ status: 404, body: { detail: 'Ticker NOPE/USDT not found for kraken' } });
  });

  it.each([
    ['POST', '/tickers/kraken/BTC/USDT', { price: 1 }],
    ['POST', '/accounts/1', { USDT: { total: 1 } }],
    ['POST', '/accounts/1/positions', {}],
    ['POST', '/bots/1/status', { feed: { status: 'running' } }],
  ])('refuses %s %s to a user without cache:write (403)', async (method, path, body) => {
    expect(await call(method, path, ALICE, body)).toEqual({ status: 403, body: { detail: 'Admin access or the cache:write scope required' } });
  });

  it.each([
    ['a missing price', { volume: 1 }],
    ['a text price', { price: 'high' }],
    ['malformed JSON', '{"price": '],
  ])('answers 422 for a ticker with %s', async (_name, body) => {
    const { status, body: reply } = await call('POST', '/tickers/kraken/BTC/USDT', ADMIN, body);
    expect(status).toBe(422);
    expect(Array.isArray(reply.detail)).toBe(true);
  });

  it('writes balances, positions and bot status that the WebSocket actions then read', async () => {
    expect((await call('POST', '/accounts/4', ADMIN, { USDT: { total: 50, free: 40, used: 10 } })).status).toBe(201);
    expect((await call('POST', '/accounts/4/positions', ADMIN, { 'BTC/USDT': { volume: 1, price: 10 } })).status).toBe(201);
    expect((await call('POST', '/bots/3/status', ADMIN, { feed0: { status: 'running' } })).status).toBe(201);
    const client = await h.connect('/ws', ADMIN);
    expect((await client.request('get_balance', { user_id: 4, currency: 'USDT' })).result).toMatchObject({ total_balance: 50, available_balance: 40, reserved_balance: 10 });
    expect((await client.request('get_positions', { exchange: 4 })).result).toMatchObject({ count: 1 });
    expect((await call('GET', '/bots/3/status', ADMIN)).body).toMatchObject({ bot_id: '3', status: 'running' });
    expect((await call('GET', '/bots/abc/status', ADMIN)).status).toBe(422);
  });

  // Issue 10 finding #7: ~4400 deep was stored (and later broke get_bots); 10 000 deep answered 500.
  it.each([65, 4400, 10_000])('refuses a bot status nested %i deep with 422, and stores nothing', async (depth) => {
    const deep = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const { status, body } = await call('POST', '/bots/7/status', ADMIN, `{"feed0":${deep}}`);
    expect(status).toBe(422);
    expect(body.detail).toEqual([{ loc: ['body'], msg: 'JSON nested deeper than 64 levels', type: 'json_too_deep' }]);
    expect((await call('GET', '/bots/7/status', ADMIN)).status).toBe(404);
  });

  it('accepts a body exactly at the depth limit', async () => {
    const nested = '{"a":'.repeat(62) + '1' + '}'.repeat(62);
    expect((await call('POST', '/bots/8/status', ADMIN, `{"feed0":${nested}}`)).status).toBe(201);
  });
});
