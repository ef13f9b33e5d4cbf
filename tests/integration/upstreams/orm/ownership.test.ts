// Privacy per user for every resource: user B cannot read, change, delete or
// build on anything user A owns (always 404, so existence does not leak), lists
// never show it, and an admin sees it all.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, createTestUser, openOrmHarness, type OrmHarness, type TestUser } from './harness.ts';

let h: OrmHarness;
beforeAll(async () => {
  h = await openOrmHarness('postgres');
});
afterAll(async () => {
  await h.close();
});

interface Owned { exId: number; botId: number; strId: number; orderId: number; dryId: number; liveId: number; keyId: number }

async function createEverything(owner: TestUser): Promise<Owned> {
  const { rows: [cat] } = await h.db.query<{ cat_ex_id: number }>("SELECT cat_ex_id FROM cat_exchanges WHERE name = 'bitmex'");
  const { rows: [strategy] } = await h.db.query<{ cat_str_id: number }>('SELECT cat_str_id FROM cat_strategies ORDER BY cat_str_id LIMIT 1');
  const exId = (await call(h, owner, 'POST', '/exchanges/user-exchanges', { cat_ex_id: cat!.cat_ex_id, name: 'acct' })).json().ex_id;
  const botId = (await call(h, owner, 'POST', '/bots', { name: 'secret-bot', ex_ids: [exId] })).json().bot_id;
  const strId = (await call(h, owner, 'POST', '/strategies/bot-strategies', { bot_id: botId, cat_str_id: strategy!.cat_str_id })).json().str_id;
  const orderId = (await call(h, owner, 'POST', '/orders', { bot_id: botId, ex_id: exId, symbol: 'BTC/USD:BTC', side: 'sell', volume: 1, order_type: 'market' })).json().order_id;
  const dryId = (await call(h, owner, 'POST', '/trades/dry', { bot_id: botId, symbol: 'BTC/USD:BTC', side: 'buy', volume: 1, price: 10 })).json().trade_id;
  const liveId = (await call(h, owner, 'POST', '/trades/live', { bot_id: botId, symbol: 'BTC/USD:BTC', side: 'buy', volume: 1, price: 10 })).json().trade_id;
  const keyId = (await call(h, owner, 'POST', '/api_keys/me', { name: 'k' })).json().api_key_id;
  for (const id of [exId, botId, strId, orderId, dryId, liveId, keyId]) expect(id).toEqual(expect.any(Number));
  return { exId, botId, strId, orderId, dryId, liveId, keyId };
}

describe('orm ownership', () => {
  let a: TestUser;
  let b: TestUser;
  let owned: Owned;
  let bBot: number;
  // Function-scoped: every case gets fresh users A and B and A's rows.
  beforeEach(async () => {
    a = await createTestUser(h);
    b = await createTestUser(h);
    owned = await createEverything(a);
    bBot = (await call(h, b, 'POST', '/bots', { name: 'b-bot' })).json().bot_id;
  });

  const foreignRequests: Array<[string, 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', (o: Owned, bBot: number, aUid: number) => string, ((o: Owned) => unknown)?]> = [
    ['read an exchange account', 'GET', (o) => `/exchanges/user-exchanges/${o.exId}`],
    ['change an exchange account', 'PATCH', (o) => `/exchanges/user-exchanges/${o.exId}`, () => ({ name: 'mine-now' })],
    ['delete an exchange account', 'DELETE', (o) => `/exchanges/user-exchanges/${o.exId}`],
    ['read a bot', 'GET', (o) => `/bots/${o.botId}`],
    ['read bot details', 'GET', (o) => `/bots/${o.botId}/details`],
    ['change a bot', 'PATCH', (o) => `/bots/${o.botId}`, () => ({ active: true })],
    ['delete a bot', 'DELETE', (o) => `/bots/${o.botId}`],
    ['read bot strategies', 'GET', (o) => `/bots/${o.botId}/strategies`],
    ['read bot exchanges', 'GET', (o) => `/bots/${o.botId}/exchanges`],
    ['read bot feeds', 'GET', (o) => `/bots/${o.botId}/feeds`],
    ['link an exchange to their bot', 'POST', (o) => `/bots/${o.botId}/exchanges`, (o) => ({ ex_id: o.exId })],
    ['link their exchange to an own bot', 'POST', (_o, bot) => `/bots/${bot}/exchanges`, (o) => ({ ex_id: o.exId })],
    ['unlink an exchange', 'DELETE', (o) => `/bots/${o.botId}/exchanges/${o.exId}`],
    ['create a bot for them', 'POST', () => '/bots', () => ({ name: 'x', uid: a.uid })],
    ['create an exchange for them', 'POST', () => '/exchanges/user-exchanges', () => ({ cat_ex_id: 1, name: 'x', uid: a.uid })],
    ['read a strategy', 'GET', (o) => `/strategies/bot-strategies/${o.strId}`],
    ['replace a strategy', 'PUT', (o) => `/strategies/bot-strategies/${o.strId}`, () => ({ take_profit: 99 })],
    ['delete a strategy', 'DELETE', (o) => `/strategies/bot-strategies/${o.strId}`],
    ['list strategies of their bot', 'GET', (o) => `/strategies/bot-strategies?bot_id=${o.botId}`],
    ['add a strategy to their bot', 'POST', () => '/strategies/bot-strategies', (o) => ({ bot_id: o.botId, cat_str_id: 1 })],
    ['read an order', 'GET', (o) => `/orders/${o.orderId}`],
    ['change an order status', 'PATCH', (o) => `/orders/${o.orderId}/status`, () => ({ status: 'Cancelled' })],
    ['list orders of their bot', 'GET', (o) => `/orders/by-bot?bot_id=${o.botId}`],
    ['list open orders of their bot', 'GET', (o) => `/orders/open?bot_id=${o.botId}`],
    ['place an order for their bot', 'POST', () => '/orders', (o) => ({ bot_id: o.botId, cat_ex_id: 1, symbol: 'X', side: 'buy', volume: 1, order_type: 'market' })],
    ['place an order on their exchange account', 'POST', () => '/orders', (o) => ({ bot_id: bBot, ex_id: o.exId, symbol: 'X', side: 'buy', volume: 1, order_type: 'market' })],
    ['list trades of their bot', 'GET', (o) => `/trades/by-bot?bot_id=${o.botId}`],
    ['read trade stats of their bot', 'GET', (o) => `/trades/stats?bot_id=${o.botId}`],
    ['record a dry trade for their bot', 'POST', () => '/trades/dry', (o) => ({ bot_id: o.botId, symbol: 'X', side: 'buy', volume: 1, price: 1 })],
    ['record a live trade for their bot', 'POST', () => '/trades/live', (o) => ({ bot_id: o.botId, symbol: 'X', side: 'buy', volume: 1, price: 1 })],
    ['read their dashboard', 'GET', (_o, _bot, uid) => `/views/bot-dashboard/${uid}`],
    ['read their API key', 'GET', (o) => `/api_keys/${o.keyId}`],
    ['deactivate their API key', 'PATCH', (o) => `/api_keys/${o.keyId}/deactivate`],
    ['delete their API key', 'DELETE', (o) => `/api_keys/${o.keyId}`],
    ['read their profile', 'GET', (_o, _bot, uid) => `/users/${uid}`],
    ['change their profile', 'PATCH', (_o, _bot, uid) => `/users/${uid}`, () => ({ name: 'x' })],
    // The routes fullon clients call (issue 12): every one refuses A's rows or A's user_id.
    ['list their bots by user', 'GET', (_o, _bot, uid) => `/bots/by-user?user_id=${uid}`],
    ['read their bot stats', 'GET', (o) => `/bots/${o.botId}/stats`],
    ['read their bot actions', 'GET', (o) => `/bots/${o.botId}/actions`],
    ['read their bot last log', 'GET', (o) => `/bots/${o.botId}/last-log`],
    ['write their bot log', 'POST', (o) => `/bots/${o.botId}/logs`, () => ({ message: 'x' })],
    ['list their exchanges', 'GET', (_o, _bot, uid) => `/exchanges?user_id=${uid}`],
    ['resolve their exchange by name', 'GET', (_o, _bot, uid) => `/exchanges/id-by-name?name=acct&user_id=${uid}`],
    ['list their strategies', 'GET', (_o, _bot, uid) => `/strategies/user-strategies?user_id=${uid}`],
    ['read their order history', 'GET', (_o, _bot, uid) => `/orders/history?user_id=${uid}`],
    ['read order history of their bot', 'GET', (o) => `/orders/history?bot_id=${o.botId}`],
    ['read their order stats', 'GET', (_o, _bot, uid) => `/orders/stats?user_id=${uid}`],
    ['list their orders by symbol', 'GET', (_o, _bot, uid) => `/orders/by-symbol?symbol=X&user_id=${uid}`],
    ['record live trades for their bot in a batch', 'POST', () => '/trades/bot', (o) => [{ bot_id: o.botId, symbol: 'X', side: 'buy', volume: 1, price: 1 }]],
    ['read their trade history', 'GET', (_o, _bot, uid) => `/trades/history?user_id=${uid}`],
    ['read their live trades', 'GET', (_o, _bot, uid) => `/trades/live?user_id=${uid}`],
    ['read their trades by symbol', 'GET', (_o, _bot, uid) => `/trades/by-symbol?user_id=${uid}`],
    ['read their trade performance', 'GET', (o) => `/trades/performance?bot_id=${o.botId}`],
    ['read their overall stats', 'GET', (_o, _bot, uid) => `/trades/stats/overall?user_id=${uid}`],
    ['read their trade summary', 'GET', (_o, _bot, uid) => `/trades/summary?user_id=${uid}`],
    ['read their symbol performance', 'GET', (_o, _bot, uid) => `/trades/symbol-performance?user_id=${uid}`],
    ['read their dry trade', 'GET', (o) => `/trades/${o.dryId}`],
    ['correct their live trade', 'PATCH', (o) => `/trades/${o.liveId}`, () => ({ roi: 1 })],
    ['delete their dry trade', 'DELETE', (o) => `/trades/${o.dryId}`],
    ['delete their live trade', 'DELETE', (o) => `/trades/${o.liveId}`],
    ['read their trading overview', 'GET', (_o, _bot, uid) => `/views/trading-overview?user_id=${uid}`],
    ['read their performance metrics', 'GET', (_o, _bot, uid) => `/views/performance-metrics?user_id=${uid}`],
    ['read their user summary', 'GET', (_o, _bot, uid) => `/views/user-summary?user_id=${uid}`],
    ['read their portfolio', 'GET', (_o, _bot, uid) => `/views/portfolio-stats?user_id=${uid}`],
    ['read their risk metrics', 'GET', (_o, _bot, uid) => `/views/risk-metrics?user_id=${uid}`],
  ];

  it.each(foreignRequests)('B cannot %s (404)', async (_name, method, path, body) => {
    const response = await call(h, b, method, path(owned, bBot, a.uid), body?.(owned));
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ detail: expect.stringMatching(/not found/i) });
  });

  it("leaves A's rows untouched after all of B's attempts", async () => {
    for (const [, method, path, body] of foreignRequests) await call(h, b, method, path(owned, bBot, a.uid), body?.(owned));
    const bot = (await call(h, a, 'GET', `/bots/${owned.botId}`)).json();
    expect(bot).toMatchObject({ active: false, exchanges: [{ ex_id: owned.exId, name: 'acct' }], strategies: [{ str_id: owned.strId }] });
    expect(bot.strategies[0].take_profit).not.toBe(99);
    expect((await call(h, a, 'GET', `/orders/${owned.orderId}`)).json().status).toBe('New');
    expect((await call(h, a, 'GET', `/trades/by-bot?bot_id=${owned.botId}`)).json().length).toBe(2);
    expect((await call(h, a, 'GET', `/api_keys/${owned.keyId}`)).json().is_active).toBe(true);
    expect((await call(h, a, 'GET', `/trades/${owned.liveId}`)).json().roi).toBeNull();
    expect((await call(h, a, 'GET', `/bots/${owned.botId}/actions`)).json()).toEqual([]);
  });

  it.each([
    ['/bots', 'bot_id', 'botId'],
    [`/bots?uid=`, 'bot_id', 'botId'],
    ['/exchanges/user-exchanges', 'ex_id', 'exId'],
    ['/exchanges/user-exchanges?uid=', 'ex_id', 'exId'],
    ['/strategies/bot-strategies', 'str_id', 'strId'],
    ['/orders', 'order_id', 'orderId'],
    ['/orders/open?uid=', 'order_id', 'orderId'],
    ['/api_keys?uid=', 'api_key_id', 'keyId'],
  ] as const)("B's list %s never shows A's rows, even when asking for A's uid", async (path, idField, key) => {
    const url = path.endsWith('=') ? `${path}${a.uid}` : path;
    const answer = await call(h, b, 'GET', url);
    // Naming A's uid is refused outright (404); a plain list leaves A's rows out.
    if (path.endsWith('=') && path.startsWith('/bots')) {
      expect(answer.statusCode).toBe(404);
      return;
    }
    const list = answer.json();
    expect(list.map((row: Record<string, number>) => row[idField])).not.toContain(owned[key]);
    const mine = (await call(h, a, 'GET', url)).json();
    expect(mine.map((row: Record<string, number>) => row[idField])).toContain(owned[key]);
  });

  it('B sees zero trades in stats without a bot filter', async () => {
    expect((await call(h, b, 'GET', '/trades/stats')).json()).toMatchObject({ total_trades: 0 });
  });

  it("an admin reads and filters A's rows", async () => {
    const admin = await createTestUser(h, { role: 'admin' });
    expect((await call(h, admin, 'GET', `/bots/${owned.botId}`)).statusCode).toBe(200);
    expect((await call(h, admin, 'GET', `/orders/${owned.orderId}`)).statusCode).toBe(200);
    expect((await call(h, admin, 'GET', `/views/bot-dashboard/${a.uid}`)).json()).toMatchObject({ total_bots: 1, total_trades: 2 });
    expect((await call(h, admin, 'GET', `/bots?uid=${a.uid}`)).json().map((x: { bot_id: number }) => x.bot_id)).toEqual([owned.botId]);
    const forA = await call(h, admin, 'POST', '/bots', { name: 'made-by-admin', uid: a.uid });
    expect(forA.json()).toMatchObject({ uid: a.uid });
  });
});
