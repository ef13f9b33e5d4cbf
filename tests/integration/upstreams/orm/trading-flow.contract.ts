// The trading contract end to end on Postgres and on PGlite: catalog → exchange
// account → bot → strategy with params and feeds → order → trades → stats and
// dashboard, each step checked against fullon's field names.
import { describe, expect, it } from 'vitest';
import { createCredentialCipher } from '../../../../upstreams/orm/exchanges/credential-cipher.ts';
import { ORM_TEST_ENV, call, createTestUser, type OrmHarness, type TestUser } from './harness.ts';

/** Registers the suite; `harness()` returns the open harness of the enclosing describe. */
export function defineTradingFlowContract(harness: () => OrmHarness): void {
  const h = new Proxy({} as OrmHarness, { get: (_t, key) => harness()[key as keyof OrmHarness] });

  async function catalogIds() {
    const exchanges = (await call(h, await createTestUser(h), 'GET', '/exchanges/catalog')).json();
    const kraken = exchanges.find((e: { name: string }) => e.name === 'kraken');
    const symbols = (await call(h, await createTestUser(h), 'GET', `/symbols/by-exchange?cat_ex_id=${kraken.cat_ex_id}`)).json();
    const strategies = (await call(h, await createTestUser(h), 'GET', '/strategies/catalog')).json();
    return { catExId: kraken.cat_ex_id as number, symbolId: symbols[0].symbol_id as number, catStrId: strategies[0].cat_str_id as number };
  }

  async function createBotWithExchange(user: TestUser) {
    const { catExId } = await catalogIds();
    const ex = await call(h, user, 'POST', '/exchanges/user-exchanges/', { cat_ex_id: catExId, name: 'main', credentials: { key: 'K', secret: 'S3cr3t' } });
    expect(ex.statusCode).toBe(200);
    const bot = await call(h, user, 'POST', '/bots/', { name: 'trend', active: true, dry_run: true, ex_ids: [ex.json().ex_id] });
    expect(bot.statusCode).toBe(200);
    return { exId: ex.json().ex_id as number, botId: bot.json().bot_id as number };
  }

  it('serves the base catalog: kraken, bitmex, hyperliquid, their symbols and strategy templates', async () => {
    const user = await createTestUser(h);
    const exchanges = (await call(h, user, 'GET', '/exchanges/catalog')).json();
    expect(exchanges.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(['kraken', 'bitmex', 'hyperliquid']));
    const symbols = (await call(h, user, 'GET', '/symbols?page_size=500')).json();
    expect(symbols.map((s: { symbol: string }) => s.symbol)).toEqual(expect.arrayContaining(['BTC/USDC', 'BTC/USD:BTC', 'BTC/USDC:USDC']));
    const search = (await call(h, user, 'GET', '/symbols/search?q=usd:')).json();
    expect(search.map((s: { symbol: string }) => s.symbol)).toEqual(['BTC/USD:BTC']);
    const kraken = exchanges.find((e: { name: string }) => e.name === 'kraken');
    const krakenSymbols = (await call(h, user, 'GET', `/exchanges/catalog/${kraken.cat_ex_id}/symbols`)).json();
    expect(krakenSymbols).toEqual(expect.arrayContaining([expect.objectContaining({ symbol: 'BTC/USDC', exchange_name: 'kraken' })]));
    expect(krakenSymbols.every((s: { exchange_name: string }) => s.exchange_name === 'kraken')).toBe(true);
    expect((await call(h, user, 'GET', '/exchanges/catalog/999999/symbols')).statusCode).toBe(404);
    const strategies = (await call(h, user, 'GET', '/strategies/catalog')).json();
    expect(strategies.length).toBeGreaterThanOrEqual(3);
  });

  it('stores exchange credentials encrypted and never returns them', async () => {
    const user = await createTestUser(h);
    const { exId } = await createBotWithExchange(user);
    const read = (await call(h, user, 'GET', `/exchanges/user-exchanges/${exId}`)).json();
    expect(read).toMatchObject({ ex_id: exId, uid: user.uid, name: 'main', exchange_name: 'kraken', has_credentials: true });
    expect(JSON.stringify(read)).not.toContain('S3cr3t');
    const { rows } = await h.db.query<{ credentials: string }>('SELECT credentials FROM exchanges WHERE ex_id = $1', [exId]);
    expect(rows[0]?.credentials).toMatch(/^v1\./);
    expect(rows[0]?.credentials).not.toContain('S3cr3t');
    // Encrypted with the configured EXCHANGE_SECRET_KEY, recoverable only with it.
    expect(createCredentialCipher(ORM_TEST_ENV.EXCHANGE_SECRET_KEY).decrypt(rows[0]!.credentials)).toEqual({ key: 'K', secret: 'S3cr3t' });
    expect(() => createCredentialCipher('another-key').decrypt(rows[0]!.credentials)).toThrow();
    const cleared = await call(h, user, 'PATCH', `/exchanges/user-exchanges/${exId}`, { credentials: null, active: false });
    expect(cleared.json()).toMatchObject({ has_credentials: false, active: false });
  });

  it('answers 409 for a second exchange account with the same name, and 422 for an unknown catalog exchange', async () => {
    const user = await createTestUser(h);
    const { catExId } = await catalogIds();
    expect((await call(h, user, 'POST', '/exchanges/user-exchanges', { cat_ex_id: catExId, name: 'dup' })).statusCode).toBe(200);
    const again = await call(h, user, 'POST', '/exchanges/user-exchanges', { cat_ex_id: catExId, name: 'dup' });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toMatch(/name/);
    expect((await call(h, user, 'POST', '/exchanges/user-exchanges', { cat_ex_id: 999999, name: 'x' })).statusCode).toBe(422);
  });

  it('runs a bot lifecycle with a strategy, feeds, an order, trades, stats and the dashboard', async () => {
    const user = await createTestUser(h);
    const { symbolId, catStrId } = await catalogIds();
    const { exId, botId } = await createBotWithExchange(user);

    const strategy = await call(h, user, 'POST', '/strategies/bot-strategies', {
      bot_id: botId, cat_str_id: catStrId, size_pct: 10, leverage: 2, params: { rsi_period: 21, mode: 'fast' },
      feed_list: [{ symbol_id: symbolId, period: 'minutes', compression: 5 }, { symbol_id: symbolId, period: 'hours', compression: 1 }],
    });
    expect(strategy.statusCode).toBe(200);
    const strId = strategy.json().str_id;
    expect(strategy.json()).toMatchObject({ bot_id: botId, cat_str_id: catStrId, size_pct: 10, leverage: 2, params: { rsi_period: '21', mode: 'fast' } });
    expect(strategy.json().feed_list).toEqual([
      expect.objectContaining({ symbol_id: symbolId, symbol: 'BTC/USDC', period: 'minutes', compression: 5, order: 1 }),
      expect.objectContaining({ period: 'hours', order: 2 }),
    ]);
    const replaced = await call(h, user, 'PUT', `/strategies/bot-strategies/${strId}`, { take_profit: 5, params: { rsi_period: 7 }, feed_list: [] });
    expect(replaced.json()).toMatchObject({ take_profit: 5, params: { rsi_period: '7' }, feed_list: [] });

    const detail = (await call(h, user, 'GET', `/bots/${botId}`)).json();
    expect(detail).toMatchObject({ bot_id: botId, name: 'trend', uid: user.uid, exchanges: [{ ex_id: exId }], strategies: [{ str_id: strId }] });
    expect((await call(h, user, 'GET', `/bots/${botId}/strategies`)).json().length).toBe(1);
    expect((await call(h, user, 'GET', `/bots/${botId}/exchanges`)).json()).toEqual([expect.objectContaining({ ex_id: exId })]);

    const order = await call(h, user, 'POST', '/orders/', { bot_id: botId, ex_id: exId, symbol: 'BTC/USDC', side: 'buy', volume: 0.5, order_type: 'limit', price: 50000, status: 'New' });
    expect(order.statusCode).toBe(200);
    expect(order.json()).toMatchObject({ bot_id: botId, uid: user.uid, exchange: 'kraken', volume: 0.5, status: 'New', side: 'buy' });
    expect(order.json()).not.toHaveProperty('amount');
    const orderId = order.json().order_id;
    expect((await call(h, user, 'GET', '/orders/open')).json().map((o: { order_id: number }) => o.order_id)).toEqual([orderId]);
    const filled = await call(h, user, 'PATCH', `/orders/${orderId}/status`, { status: 'Filled', final_volume: 0.5 });
    expect(filled.json()).toMatchObject({ status: 'Filled', final_volume: 0.5 });
    expect((await call(h, user, 'GET', '/orders/open')).json().length).toBe(0);
    expect((await call(h, user, 'GET', `/orders/by-bot?bot_id=${botId}`)).json().length).toBe(1);

    const dry = await call(h, user, 'POST', '/trades/dry', { bot_id: botId, symbol: 'BTC/USDC', side: 'buy', volume: 0.5, price: 50000, order_type: 'market' });
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toMatchObject({ kind: 'dry', bot_id: botId, cost: 25000, volume: 0.5 });
    const closing = await call(h, user, 'POST', '/trades/dry', { bot_id: botId, symbol: 'BTC/USDC', side: 'sell', volume: 0.5, price: 51000, roi: 500, roi_pct: 2, closingtrade: true });
    expect(closing.statusCode).toBe(200);
    const live = await call(h, user, 'POST', '/trades/live', { bot_id: botId, ex_id: exId, symbol: 'BTC/USDC', side: 'buy', volume: 1, price: 100, order_type: 'market', ex_trade_id: 'T1' });
    expect(live.statusCode).toBe(200);
    expect(live.json()).toMatchObject({ kind: 'live', ex_trade_id: 'T1', cost: 100 });

    const trades = (await call(h, user, 'GET', `/trades/by-bot?bot_id=${botId}`)).json();
    expect(trades.length).toBe(3);
    expect((await call(h, user, 'GET', `/trades/by-bot?bot_id=${botId}&kind=dry`)).json().length).toBe(2);
    const stats = (await call(h, user, 'GET', `/trades/stats?bot_id=${botId}`)).json();
    expect(stats).toMatchObject({ bot_id: botId, total_trades: 3, dry_trades: 2, live_trades: 1, buy_trades: 2, sell_trades: 1, winning_trades: 1, total_roi: 500 });

    const dashboard = (await call(h, user, 'GET', `/views/bot-dashboard/${user.uid}`)).json();
    expect(dashboard).toMatchObject({ user_id: user.uid, total_bots: 1, active_bots: 1, total_trades: 3, dry_trades: 2, live_trades: 1, total_orders: 1, open_orders: 0 });

    const patched = await call(h, user, 'PATCH', `/bots/${botId}`, { active: false, name: 'renamed' });
    expect(patched.json()).toMatchObject({ active: false, name: 'renamed' });
    expect((await call(h, user, 'DELETE', `/bots/${botId}/exchanges/${exId}`)).statusCode).toBe(204);
    expect((await call(h, user, 'POST', `/bots/${botId}/exchanges`, { ex_id: exId })).statusCode).toBe(200);
    expect((await call(h, user, 'POST', `/bots/${botId}/exchanges`, { ex_id: exId })).statusCode).toBe(409);
    expect((await call(h, user, 'DELETE', `/strategies/bot-strategies/${strId}`)).statusCode).toBe(204);
    expect((await call(h, user, 'DELETE', `/bots/${botId}`)).statusCode).toBe(204);
    expect((await call(h, user, 'GET', `/bots/${botId}`)).statusCode).toBe(404);
    expect((await call(h, user, 'GET', `/views/bot-dashboard/${user.uid}`)).json()).toMatchObject({ total_bots: 0, total_trades: 0 });
  });

  it("serves fullon's alternative paths and catalog details", async () => {
    const user = await createTestUser(h);
    const { catExId, catStrId } = await catalogIds();
    const { botId } = await createBotWithExchange(user);
    expect((await call(h, user, 'GET', `/exchanges/catalog/${catExId}`)).json()).toMatchObject({ cat_ex_id: catExId, name: 'kraken', params: { has_websocket: 'true' } });
    expect((await call(h, user, 'GET', `/exchanges/catalog/${catExId}/params`)).json()).toEqual({ cat_ex_id: catExId, name: 'kraken', params: { has_websocket: 'true' } });
    expect((await call(h, user, 'GET', '/exchanges/catalog/999999')).statusCode).toBe(404);
    expect((await call(h, user, 'GET', `/strategies/catalog/${catStrId}`)).json()).toMatchObject({ cat_str_id: catStrId, params: expect.any(Object) });
    expect((await call(h, user, 'GET', `/symbols?cat_ex_id=${catExId}`)).json().map((s: { symbol: string }) => s.symbol)).toContain('BTC/USDC');
    expect((await call(h, user, 'GET', '/bots/by-user')).json().map((b: { bot_id: number }) => b.bot_id)).toEqual([botId]);
    expect((await call(h, user, 'GET', `/bots/${botId}/details`)).json()).toMatchObject({ bot_id: botId, exchanges: [expect.any(Object)] });
    await call(h, user, 'POST', '/trades/dry', { bot_id: botId, symbol: 'BTC/USDC', side: 'BUY', volume: 1, price: 2 });
    expect((await call(h, user, 'GET', `/trades/bot?bot_id=${botId}`)).json()).toMatchObject([{ side: 'buy', cost: 2 }]);
  });

  it('lets only an admin add and change symbols', async () => {
    const [user, admin] = [await createTestUser(h), await createTestUser(h, { role: 'admin' })];
    const { catExId } = await catalogIds();
    const symbol = `ETH${Date.now()}/USDC`;
    expect((await call(h, user, 'POST', '/symbols', { symbol, cat_ex_id: catExId })).statusCode).toBe(403);
    const created = await call(h, admin, 'POST', '/symbols/', { symbol, cat_ex_id: catExId, base: 'ETH', quote: 'USDC', decimals: 4 });
    expect(created.statusCode).toBe(200);
    expect(created.json()).toMatchObject({ symbol, decimals: 4, exchange_name: 'kraken', updateframe: '1h' });
    expect((await call(h, admin, 'POST', '/symbols', { symbol, cat_ex_id: catExId })).statusCode).toBe(409);
    const id = created.json().symbol_id;
    expect((await call(h, user, 'PATCH', `/symbols/${id}`, { decimals: 2 })).statusCode).toBe(403);
    expect((await call(h, admin, 'PATCH', `/symbols/${id}`, { decimals: 2 })).json()).toMatchObject({ decimals: 2 });
    expect((await call(h, user, 'GET', `/symbols/${id}`)).json()).toMatchObject({ symbol_id: id, decimals: 2 });
    expect((await call(h, admin, 'PATCH', '/symbols/99999999', { decimals: 2 })).statusCode).toBe(404);
  });
}
