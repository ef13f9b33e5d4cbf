// Bad input and bad conditions: SQL injection in every string filter and in q,
// oversized and wrongly typed fields, concurrent creation of one unique row,
// missing or forged assertions on every route, and a database outage (503).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../upstreams/common/db.ts';
import { createLogger } from '../../../../upstreams/common/logger.ts';
import { createOrmApp } from '../../../../upstreams/orm/app.ts';
import { TEST_ASSERTION_KEY, makeTestKey, signTestAssertion } from '../../../helpers/assertion.ts';
import { ORM_TEST_ENV, call, createTestUser, openOrmHarness, type OrmHarness, type TestUser } from './harness.ts';

let h: OrmHarness;
let user: TestUser;
let botId: number;
beforeAll(async () => {
  h = await openOrmHarness('postgres');
  user = await createTestUser(h);
  botId = (await call(h, user, 'POST', '/bots', { name: 'hardening' })).json().bot_id;
});
afterAll(async () => {
  await h.close();
});

const INJECTIONS = ["' OR '1'='1", "'; DROP TABLE users; --", "BTC/USDC' UNION SELECT password FROM users --", '%', "\\' OR 1=1 --", '\u0000'];

describe('orm input hardening', () => {
  const stringFilters = [
    '/symbols?symbol=', '/symbols?exchange=', '/symbols?base=', '/symbols?quote=', '/symbols/search?q=',
    '/bots?name=', '/exchanges/user-exchanges?name=', '/orders?symbol=', '/orders/open?symbol=',
    `/orders/by-bot?bot_id=BOT&symbol=`, `/trades/by-bot?bot_id=BOT&symbol=`,
  ];

  it.each(stringFilters)('treats injection attempts in %s as plain text', async (path) => {
    const admin = await createTestUser(h, { role: 'admin' });
    for (const evil of INJECTIONS) {
      const url = path.replace('BOT', String(botId)) + encodeURIComponent(evil);
      const response = await call(h, path.includes('BOT') ? user : admin, 'GET', url);
      // NUL is refused by Postgres text; everything else is a harmless empty match.
      expect([200, 422]).toContain(response.statusCode);
      if (response.statusCode === 200) expect(response.json().length).toBe(0);
    }
    const { rows } = await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    expect(rows[0]!.n).toBeGreaterThan(0);
  });

  it.each(['/users?mail=', '/users?q='])('treats injection attempts in the admin filter %s as plain text', async (path) => {
    const admin = await createTestUser(h, { role: 'admin' });
    for (const evil of INJECTIONS.slice(0, 4)) {
      const response = await call(h, admin, 'GET', path + encodeURIComponent(evil));
      expect(response.statusCode).toBe(200);
      expect(response.json().length).toBe(0);
    }
  });

  it('stores an injection attempt in a body field verbatim', async () => {
    const evil = "x'); DELETE FROM bots; --";
    const response = await call(h, user, 'POST', '/bots', { name: evil });
    expect(response.statusCode).toBe(200);
    expect(response.json().name).toBe(evil);
    expect((await call(h, user, 'GET', `/bots/${botId}`)).statusCode).toBe(200);
  });

  it.each([
    ['POST /bots with an oversized name', 'POST', '/bots', { name: 'b'.repeat(101) }],
    ['POST /bots with a numeric name', 'POST', '/bots', { name: 12 }],
    ['POST /bots with a string active', 'POST', '/bots', { name: 'x', active: 'true' }],
    ['POST /bots with string ex_ids', 'POST', '/bots', { name: 'x', ex_ids: ['1; DROP'] }],
    ['POST /orders with amount instead of volume', 'POST', '/orders', { bot_id: 1, cat_ex_id: 1, symbol: 'X', side: 'buy', amount: 1, order_type: 'market' }],
    ['POST /orders with a negative volume', 'POST', '/orders', { bot_id: 1, cat_ex_id: 1, symbol: 'X', side: 'buy', volume: -1, order_type: 'market' }],
    ['POST /orders with a string volume', 'POST', '/orders', { bot_id: 1, cat_ex_id: 1, symbol: 'X', side: 'buy', volume: '1', order_type: 'market' }],
    ['POST /orders with an unknown side', 'POST', '/orders', { bot_id: 1, cat_ex_id: 1, symbol: 'X', side: 'hold', volume: 1, order_type: 'market' }],
    ['POST /orders with a huge volume', 'POST', '/orders', { bot_id: 1, cat_ex_id: 1, symbol: 'X', side: 'buy', volume: 1e300, order_type: 'market' }],
    ['POST /trades/dry with an oversized symbol', 'POST', '/trades/dry', { bot_id: 1, symbol: 'S'.repeat(65), side: 'buy', volume: 1, price: 1 }],
    ['POST /trades/live without a price', 'POST', '/trades/live', { bot_id: 1, symbol: 'X', side: 'buy', volume: 1 }],
    ['POST /exchanges/user-exchanges with a string cat_ex_id', 'POST', '/exchanges/user-exchanges', { cat_ex_id: 'kraken', name: 'x' }],
    ['POST /exchanges/user-exchanges with an oversized secret', 'POST', '/exchanges/user-exchanges', { cat_ex_id: 1, name: 'x', credentials: { key: 'k', secret: 's'.repeat(3000) } }],
    ['POST /strategies/bot-strategies with a bad param name', 'POST', '/strategies/bot-strategies', { bot_id: 1, cat_str_id: 1, params: { 'a b': 1 } }],
    ['POST /strategies/bot-strategies with an unknown period', 'POST', '/strategies/bot-strategies', { bot_id: 1, cat_str_id: 1, feed_list: [{ symbol_id: 1, period: 'fortnights' }] }],
    ['PATCH /orders/1/status with an unknown status', 'PATCH', '/orders/1/status', { status: 'Exploded' }],
    ['GET /bots/abc', 'GET', '/bots/abc', undefined],
    ['GET /bots/-1', 'GET', '/bots/-1', undefined],
    ['GET /bots/1.5', 'GET', '/bots/1.5', undefined],
    ['GET /bots?page_size=100000', 'GET', '/bots?page_size=100000', undefined],
    ['GET /bots?limit=-1', 'GET', '/bots?limit=-1', undefined],
    ['GET /bots?limit=10^9', 'GET', '/bots?limit=1000000000', undefined],
    ['GET /bots?active=maybe', 'GET', '/bots?active=maybe', undefined],
    ['GET /symbols/search without q', 'GET', '/symbols/search', undefined],
    ['GET /symbols/search with an oversized q', 'GET', `/symbols/search?q=${'q'.repeat(65)}`, undefined],
    ['GET /orders/by-bot without bot_id', 'GET', '/orders/by-bot', undefined],
    ['GET /trades/by-bot?bot_id=1 OR 1=1', 'GET', `/trades/by-bot?bot_id=${encodeURIComponent('1 OR 1=1')}`, undefined],
  ] as const)('answers 422 for %s', async (_name, method, path, body) => {
    const response = await call(h, user, method, path, body);
    expect(response.statusCode).toBe(422);
    expect(response.json().detail).toEqual(expect.any(Array));
  });

  it('refuses a body over the size limit with 413', async () => {
    const response = await call(h, user, 'POST', '/bots', { name: 'x', pad: 'p'.repeat(2 * 1024 * 1024) });
    expect(response.statusCode).toBe(413);
  });

  it('creates exactly one of many concurrent identical exchange accounts', async () => {
    const owner = await createTestUser(h);
    const { rows: [cat] } = await h.db.query<{ cat_ex_id: number }>("SELECT cat_ex_id FROM cat_exchanges WHERE name = 'kraken'");
    const responses = await Promise.all(Array.from({ length: 8 }, () => call(h, owner, 'POST', '/exchanges/user-exchanges', { cat_ex_id: cat!.cat_ex_id, name: 'race' })));
    const codes = responses.map((r) => r.statusCode).sort();
    expect(codes).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    expect(responses.find((r) => r.statusCode === 409)!.json().detail).toMatch(/already exists/);
  });

  const routes = [
    ['GET', '/users/me'], ['GET', '/users'], ['POST', '/users'], ['PATCH', '/users/1'], ['POST', '/api_keys/me'], ['GET', '/api_keys/me'],
    ['PATCH', '/api_keys/1/deactivate'], ['GET', '/exchanges/catalog'], ['GET', '/exchanges/catalog/1/symbols'], ['GET', '/exchanges/user-exchanges'],
    ['POST', '/exchanges/user-exchanges'], ['PATCH', '/exchanges/user-exchanges/1'], ['DELETE', '/exchanges/user-exchanges/1'], ['GET', '/symbols'],
    ['GET', '/symbols/1'], ['GET', '/symbols/search?q=btc'], ['POST', '/symbols'], ['PATCH', '/symbols/1'], ['GET', '/bots'], ['GET', '/bots/1'],
    ['POST', '/bots'], ['PATCH', '/bots/1'], ['DELETE', '/bots/1'], ['GET', '/bots/1/strategies'], ['GET', '/bots/1/exchanges'],
    ['GET', '/strategies/catalog'], ['GET', '/strategies/bot-strategies'], ['POST', '/strategies/bot-strategies'], ['GET', '/strategies/bot-strategies/1'],
    ['PUT', '/strategies/bot-strategies/1'], ['DELETE', '/strategies/bot-strategies/1'], ['POST', '/orders'], ['GET', '/orders/by-bot?bot_id=1'],
    ['GET', '/orders/open'], ['PATCH', '/orders/1/status'], ['POST', '/trades/dry'], ['POST', '/trades/live'], ['GET', '/trades/by-bot?bot_id=1'],
    ['GET', '/trades/stats'], ['GET', '/views/bot-dashboard/1'], ['POST', '/internal/auth/verify-credentials'], ['POST', '/internal/auth/verify-api-key'],
    ['GET', '/internal/users/1/ownership'],
  ] as const;

  it.each(routes)('%s %s answers 401 without an assertion and with a forged or wrong-audience one', async (method, url) => {
    const forged = await signTestAssertion('orm_api', { userId: 1, role: 'admin' }, makeTestKey(TEST_ASSERTION_KEY.kid));
    const wrongAudience = await signTestAssertion('ohlcv_api', { userId: 1, role: 'admin' });
    for (const header of [undefined, 'garbage', forged, wrongAudience]) {
      const response = await h.app.inject({ method, url, headers: header ? { 'x-gateway-assertion': header } : {}, payload: method === 'GET' || method === 'DELETE' ? undefined : {} });
      expect(response.statusCode).toBe(401);
      expect(response.json().detail).toMatch(/authenticated/i);
    }
  });

  it('answers 404 with {"detail"} for an unknown path', async () => {
    const response = await call(h, user, 'GET', '/no/such/route');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ detail: 'Not Found' });
  });
});

describe('orm during a database outage', () => {
  it('reports 503 on /health and 503 {"detail"} on a route, without a stack trace', async () => {
    const db = await openDatabase({ url: 'postgres://postgres@127.0.0.1:1/unreachable', name: 'orm' });
    const app = createOrmApp({ db, env: ORM_TEST_ENV, logger: createLogger('orm', 'silent') });
    try {
      const health = await app.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(503);
      expect(health.json()).toMatchObject({ status: 'degraded', service: 'orm_api', database: { ok: false } });
      const route = await app.inject({ method: 'GET', url: '/bots', headers: { 'x-gateway-assertion': await signTestAssertion('orm_api', { userId: 1 }) } });
      expect(route.statusCode).toBe(503);
      expect(route.json()).toEqual({ detail: 'Database unavailable' });
      expect(route.body).not.toMatch(/at .*\.ts|ECONNREFUSED/);
    } finally {
      await app.close();
      await db.close();
    }
  });
});
