// The contracts fullon clients rely on (DESIGN.md "Compatibility with fullon
// clients"): lists are bare arrays paged by limit/offset with X-Total-Count and
// Link rel="next"; bodies are read as pydantic did; creates answer 200; an admin
// asking for another user's API key gets exactly that user's key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_DEFAULTS } from '../../../../upstreams/orm/db/pagination.ts';
import { signTestAssertion } from '../../../helpers/assertion.ts';
import { call, createTestUser, openOrmHarness, type OrmHarness, type TestUser } from './harness.ts';

let h: OrmHarness;
beforeAll(async () => {
  h = await openOrmHarness('postgres');
});
afterAll(async () => {
  await h.close();
});

async function userWithBots(count: number): Promise<{ user: TestUser; botIds: number[] }> {
  const user = await createTestUser(h);
  const botIds: number[] = [];
  for (let i = 0; i < count; i++) botIds.push((await call(h, user, 'POST', '/bots', { name: `bot-${i}` })).json().bot_id);
  return { user, botIds };
}

describe('orm lists', () => {
  it('answer a JSON array with X-Total-Count and no Link when everything fits', async () => {
    const { user, botIds } = await userWithBots(3);
    const response = await call(h, user, 'GET', '/bots');
    expect(response.statusCode).toBe(200);
    expect(response.json().map((b: { bot_id: number }) => b.bot_id)).toEqual(botIds);
    expect(response.headers['x-total-count']).toBe('3');
    expect(response.headers.link).toBeUndefined();
  });

  it('page with limit/offset and point to the next page with an RFC 8288 Link that keeps other filters', async () => {
    const { user, botIds } = await userWithBots(5);
    const first = await call(h, user, 'GET', '/bots?dry_run=true&limit=2');
    expect(first.json().map((b: { bot_id: number }) => b.bot_id)).toEqual(botIds.slice(0, 2));
    expect(first.headers['x-total-count']).toBe('5');
    expect(first.headers.link).toBe('<?dry_run=true&limit=2&offset=2>; rel="next"');
    const next = await call(h, user, 'GET', `/bots${String(first.headers.link).slice(1, String(first.headers.link).indexOf('>'))}`);
    expect(next.json().map((b: { bot_id: number }) => b.bot_id)).toEqual(botIds.slice(2, 4));
    const last = await call(h, user, 'GET', '/bots?limit=2&offset=4');
    expect(last.json().map((b: { bot_id: number }) => b.bot_id)).toEqual(botIds.slice(4));
    expect(last.headers.link).toBeUndefined();
  });

  it('answer an empty array (with the total) for an offset past the end', async () => {
    const { user } = await userWithBots(2);
    const response = await call(h, user, 'GET', '/bots?offset=50');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([]);
    expect(response.headers['x-total-count']).toBe('2');
    expect(response.headers.link).toBeUndefined();
  });

  it('still read fullon_orm page/page_size', async () => {
    const { user, botIds } = await userWithBots(3);
    expect((await call(h, user, 'GET', '/bots?page=2&page_size=2')).json().map((b: { bot_id: number }) => b.bot_id)).toEqual(botIds.slice(2));
  });

  it.each([
    ['limit=-1', '/bots?limit=-1'],
    ['limit=0', '/bots?limit=0'],
    ['limit=10^9', '/bots?limit=1000000000'],
    [`limit over the maximum (${PAGE_DEFAULTS.maxLimit})`, `/bots?limit=${PAGE_DEFAULTS.maxLimit + 1}`],
    ['offset=-1', '/bots?offset=-1'],
    ['offset=10^12', '/bots?offset=1000000000000'],
    ['a non-numeric limit', '/bots?limit=all'],
  ])('refuse %s with 422 naming the parameter', async (_name, url) => {
    const user = await createTestUser(h);
    const response = await call(h, user, 'GET', url);
    expect(response.statusCode).toBe(422);
    expect(response.json().detail[0].loc[0]).toBe('query');
  });

  it('default to a limit that shows a normal user all their rows', () => {
    expect(PAGE_DEFAULTS.limit).toBeGreaterThanOrEqual(1000);
    expect(PAGE_DEFAULTS.maxLimit).toBeLessThanOrEqual(10_000);
  });
});

describe('orm bodies as pydantic read them', () => {
  it('ignore unknown fields on create and answer 200', async () => {
    const user = await createTestUser(h);
    const response = await call(h, user, 'POST', '/bots', { name: 'extra', dry_run: true, color: 'blue', test: false });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ name: 'extra', uid: user.uid });
    expect(response.json()).not.toHaveProperty('color');
  });

  it('read order statuses, sides and types case-insensitively and store the canonical spelling', async () => {
    const user = await createTestUser(h);
    const botId = (await call(h, user, 'POST', '/bots', { name: 'b' })).json().bot_id;
    const order = await call(h, user, 'POST', '/orders', { bot_id: botId, cat_ex_id: 1, symbol: 'BTC/USD', side: 'BUY', volume: 1, order_type: 'Market', status: 'new' });
    expect(order.statusCode).toBe(200);
    expect(order.json()).toMatchObject({ side: 'buy', order_type: 'market', status: 'New' });
    const filled = await call(h, user, 'PATCH', `/orders/${order.json().order_id}/status`, { status: 'filled' });
    expect(filled.statusCode).toBe(200);
    expect(filled.json().status).toBe('Filled');
  });

  it('read API-key scopes as a comma string or an array', async () => {
    const user = await createTestUser(h);
    const fromString = await call(h, user, 'POST', '/api_keys/me', { name: 'a', scopes: 'read,write' });
    expect(fromString.statusCode).toBe(200);
    expect(fromString.json().scopes).toEqual(['read', 'write']);
    expect((await call(h, user, 'POST', '/api_keys/me', { name: 'b', scopes: ['read'] })).json().scopes).toEqual(['read']);
  });

  it('explain a bad scopes string in the 422 detail', async () => {
    const user = await createTestUser(h);
    const response = await call(h, user, 'POST', '/api_keys/me', { name: 'a', scopes: 'read, write' });
    expect(response.statusCode).toBe(422);
    expect(response.json().detail).toEqual([{ loc: ['body', 'scopes'], msg: 'comma-separated list must not contain spaces', type: 'custom' }]);
  });
});

describe('JSON content-type without a body (httpx DELETE with JSON headers)', () => {
  it('is no body, not a 422', async () => {
    const user = await createTestUser(h);
    const botId = (await call(h, user, 'POST', '/bots', { name: 'gone' })).json().bot_id;
    const headers = { 'x-gateway-assertion': await signTestAssertion('orm_api', user.identity), 'content-type': 'application/json' };
    expect((await h.app.inject({ method: 'DELETE', url: `/bots/${botId}`, headers })).statusCode).toBe(204);
    const create = await h.app.inject({ method: 'POST', url: '/bots', headers });
    expect(create.statusCode).toBe(422);
    expect(create.json().detail[0]).toMatchObject({ loc: ['body'], type: 'missing' });
    expect((await h.app.inject({ method: 'POST', url: '/bots', headers, payload: '{"__proto__": {"x": 1}, "name": "p"}' })).statusCode).toBe(422);
  });
});

describe('POST /api_keys/me for another uid', () => {
  it('as admin with ?uid= creates the key for exactly that user', async () => {
    const admin = await createTestUser(h, { role: 'admin' });
    const target = await createTestUser(h);
    const response = await call(h, admin, 'POST', `/api_keys/me?uid=${target.uid}`, { name: 'for-target' });
    expect(response.statusCode).toBe(200);
    expect(response.json().uid).toBe(target.uid);
    const { rows } = await h.db.query<{ uid: number }>('SELECT uid FROM api_keys WHERE api_key_id = $1', [response.json().api_key_id]);
    expect(rows[0]!.uid).toBe(target.uid);
  });

  it('as admin with uid in the body does the same', async () => {
    const admin = await createTestUser(h, { role: 'admin' });
    const target = await createTestUser(h);
    expect((await call(h, admin, 'POST', '/api_keys/me', { name: 'k', uid: target.uid })).json().uid).toBe(target.uid);
  });

  it('as admin for a uid with no user answers 422 and creates nothing', async () => {
    const admin = await createTestUser(h, { role: 'admin' });
    const response = await call(h, admin, 'POST', '/api_keys/me?uid=2147483000', { name: 'ghost' });
    expect(response.statusCode).toBe(422);
    expect(response.json().detail[0]).toMatchObject({ loc: ['query', 'uid'] });
    expect((await h.db.query("SELECT 1 FROM api_keys WHERE name = 'ghost' AND uid = $1", [admin.uid])).rowCount).toBe(0);
  });

  it('answers 422 when the query and the body name different users', async () => {
    const admin = await createTestUser(h, { role: 'admin' });
    const [x, y] = [await createTestUser(h), await createTestUser(h)];
    expect((await call(h, admin, 'POST', `/api_keys/me?uid=${x.uid}`, { name: 'k', uid: y.uid })).statusCode).toBe(422);
  });

  it('as a regular user for someone else is 404 and creates nothing', async () => {
    const [user, other] = [await createTestUser(h), await createTestUser(h)];
    expect((await call(h, user, 'POST', `/api_keys/me?uid=${other.uid}`, { name: 'steal' })).statusCode).toBe(404);
    expect((await h.db.query("SELECT 1 FROM api_keys WHERE name = 'steal'")).rowCount).toBe(0);
  });

  it.each(['abc', '-1', '1.5'])('refuses a non-numeric uid %j with 422', async (uid) => {
    const admin = await createTestUser(h, { role: 'admin' });
    expect((await call(h, admin, 'POST', `/api_keys/me?uid=${uid}`, { name: 'k' })).statusCode).toBe(422);
  });
});

describe('removing a bot strategy (fullon reads its details right after)', () => {
  it('keeps the record readable by id, and drops it from every list, change and count', async () => {
    const user = await createTestUser(h);
    const botId = (await call(h, user, 'POST', '/bots', { name: 'strat' })).json().bot_id;
    const created = await call(h, user, 'POST', '/strategies/bot-strategies', { bot_id: botId, cat_str_id: 1, name: 'My RSI', parameters: { rsi_period: 14 }, active: true, extra: 'ignored' });
    expect(created.statusCode).toBe(200);
    expect(created.json()).toMatchObject({ name: 'My RSI', active: true, params: { rsi_period: '14' }, removed_at: null });
    const strId = created.json().str_id;
    expect((await call(h, user, 'PUT', `/strategies/bot-strategies/${strId}`, { name: 'Renamed', active: false, parameters: { rsi_period: 21 } })).json()).toMatchObject({ name: 'Renamed', active: false, params: { rsi_period: '21' } });
    expect((await call(h, user, 'DELETE', `/strategies/bot-strategies/${strId}`)).statusCode).toBe(204);
    const after = await call(h, user, 'GET', `/strategies/bot-strategies/${strId}`);
    expect(after.statusCode).toBe(200);
    expect(after.json()).toMatchObject({ str_id: strId, active: false, removed_at: expect.any(String) });
    expect((await call(h, user, 'GET', `/strategies/bot-strategies?bot_id=${botId}`)).json()).toEqual([]);
    expect((await call(h, user, 'GET', '/strategies/user-strategies')).json()).toEqual([]);
    expect((await call(h, user, 'GET', `/bots/${botId}/strategies`)).json()).toEqual([]);
    expect((await call(h, user, 'GET', `/bots/${botId}/stats`)).json().strategies).toBe(0);
    expect((await call(h, user, 'PUT', `/strategies/bot-strategies/${strId}`, { name: 'back' })).statusCode).toBe(404);
    expect((await call(h, user, 'DELETE', `/strategies/bot-strategies/${strId}`)).statusCode).toBe(404);
  });
});

describe('fullon client field names and resolvers', () => {
  it('user exchanges take api_key, api_secret and is_testnet, store the credentials and answer is_testnet', async () => {
    const user = await createTestUser(h);
    const created = await call(h, user, 'POST', '/exchanges/user-exchanges', { cat_ex_id: 1, name: 'My Binance Account', api_key: 'k-123', api_secret: 's-456', is_testnet: true });
    expect(created.statusCode).toBe(200);
    expect(created.json()).toMatchObject({ name: 'My Binance Account', test: true, is_testnet: true, has_credentials: true });
    expect(created.json()).not.toHaveProperty('credentials');
    const exId = created.json().ex_id;
    expect(JSON.stringify((await h.db.query('SELECT credentials FROM exchanges WHERE ex_id = $1', [exId])).rows)).not.toContain('s-456');
    const patched = await call(h, user, 'PATCH', `/exchanges/user-exchanges/${exId}`, { name: 'Updated', is_testnet: false });
    expect(patched.json()).toMatchObject({ name: 'Updated', is_testnet: false });
    expect((await call(h, user, 'DELETE', `/exchanges/user-exchanges/${exId}`)).statusCode).toBe(204);
  });

  it('resolves exchange names case-insensitively: the account name first, else the catalog name', async () => {
    const user = await createTestUser(h);
    const { rows: [kraken] } = await h.db.query<{ cat_ex_id: number }>("SELECT cat_ex_id FROM cat_exchanges WHERE name = 'kraken'");
    const exId = (await call(h, user, 'POST', '/exchanges/user-exchanges', { cat_ex_id: kraken!.cat_ex_id, name: 'main' })).json().ex_id;
    expect((await call(h, user, 'GET', '/exchanges/id-by-name?name=Kraken')).json()).toMatchObject({ exchange_id: exId });
    expect((await call(h, user, 'GET', '/exchanges/id-by-name?name=MAIN')).json()).toMatchObject({ exchange_id: exId });
    expect((await call(h, user, 'GET', '/exchanges/catalog-id?exchange_name=KRAKEN')).json()).toEqual({ cat_ex_id: kraken!.cat_ex_id, exchange_name: 'kraken' });
    expect((await call(h, user, 'GET', '/exchanges/catalog-id')).statusCode).toBe(422);
    expect((await call(h, user, 'GET', '/exchanges?exchange_name=kraken')).json().map((e: { ex_id: number }) => e.ex_id)).toEqual([exId]);
  });

  it('symbols take base_asset, quote_asset, price_decimals, quantity_decimals and active', async () => {
    const admin = await createTestUser(h, { role: 'admin' });
    const symbol = `T${Date.now()}/USDC`;
    const created = await call(h, admin, 'POST', '/symbols', { symbol, cat_ex_id: 1, base_asset: 'T', quote_asset: 'USDC', price_decimals: 4, quantity_decimals: 3, active: false, unknown: 1 });
    expect(created.statusCode).toBe(200);
    expect(created.json()).toMatchObject({ symbol, base: 'T', quote: 'USDC', decimals: 4, base_asset: 'T', quote_asset: 'USDC', price_decimals: 4, quantity_decimals: 3, active: false });
    const patched = await call(h, admin, 'PATCH', `/symbols/${created.json().symbol_id}`, { price_decimals: 2, active: true });
    expect(patched.json()).toMatchObject({ decimals: 2, active: true });
    expect((await call(h, admin, 'GET', `/symbols/decimals?symbol=${encodeURIComponent(symbol)}`)).json()).toMatchObject({ symbol, decimals: 2, quantity_decimals: 3 });
  });

  it('bots/by-user?user_id= gives an admin that user\'s bots only', async () => {
    const admin = await createTestUser(h, { role: 'admin' });
    const [x, y] = [await createTestUser(h), await createTestUser(h)];
    const xBot = (await call(h, x, 'POST', '/bots', { name: 'x' })).json().bot_id;
    await call(h, y, 'POST', '/bots', { name: 'y' });
    expect((await call(h, admin, 'GET', `/bots/by-user?user_id=${x.uid}`)).json().map((b: { bot_id: number }) => b.bot_id)).toEqual([xBot]);
    expect((await call(h, x, 'GET', `/bots/by-user?user_id=${x.uid}`)).json().map((b: { bot_id: number }) => b.bot_id)).toEqual([xBot]);
    expect((await call(h, x, 'GET', `/bots/by-user?user_id=${y.uid}`)).statusCode).toBe(404);
    expect((await call(h, x, 'GET', '/bots/by-user?user_id=abc')).statusCode).toBe(422);
  });

  it('catalog params are objects', async () => {
    const user = await createTestUser(h);
    expect((await call(h, user, 'GET', '/strategies/catalog/1/params')).json()).toMatchObject({ cat_str_id: 1, name: expect.any(String), params: expect.any(Object) });
    expect((await call(h, user, 'GET', '/strategies/catalog/999999/params')).statusCode).toBe(404);
  });
});
