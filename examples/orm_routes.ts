// Example: the orm upstream through the gateway (/api/v1/orm). The admin creates
// a user; that user logs in, opens an exchange account, creates a bot with a
// strategy and feeds, places an order, records a dry trade and reads the
// dashboard. A second user can see none of it (404 everywhere, empty lists).
// Run: GATEWAY_URL=http://127.0.0.1:8000 ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/orm_routes.ts
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createUser, fetchJson, login, loginAsAdmin, type NewUser } from './lib/client.ts';

const ORM = '/api/v1/orm';

async function createExampleUser(adminToken: string, label: string): Promise<NewUser> {
  const user = await createUser(adminToken, label, { name: label, lastname: 'Example' });
  assert.equal(user.record.mail, user.mail);
  assert.equal(user.record.password, undefined, 'the password hash is never returned');
  return user;
}

async function main(): Promise<void> {
  const adminToken = await loginAsAdmin();

  // 1. The admin creates two users; a regular user may not.
  const alice = await createExampleUser(adminToken, 'alice');
  const bob = await createExampleUser(adminToken, 'bob');
  const token = await login(alice.mail, alice.password);
  const bobToken = await login(bob.mail, bob.password);
  const refused = await fetchJson(`${ORM}/users`, { token, body: { mail: `x-${randomUUID()}@example.com`, password: 'password-123' } });
  assert.equal(refused.status, 403);
  const me = await fetchJson(`${ORM}/users/me`, { token });
  assert.equal(me.status, 200);
  assert.equal(me.body.uid, alice.uid);
  console.log(`users: alice uid=${alice.uid}, bob uid=${bob.uid}`);

  // 2. Catalog: exchanges, symbols, strategy templates.
  const catalog = await fetchJson(`${ORM}/exchanges/catalog`, { token });
  assert.equal(catalog.status, 200);
  const kraken = catalog.body.find((e: { name: string }) => e.name === 'kraken');
  assert.ok(kraken, 'kraken is in the catalog');
  const symbols = await fetchJson(`${ORM}/symbols/by-exchange?cat_ex_id=${kraken.cat_ex_id}`, { token });
  const btc = symbols.body.find((s: { symbol: string }) => s.symbol === 'BTC/USDC');
  assert.ok(btc, 'BTC/USDC is listed on kraken');
  const search = await fetchJson(`${ORM}/symbols/search?q=${encodeURIComponent('BTC/USDC')}`, { token });
  assert.ok(search.body.length >= 2, 'search finds BTC/USDC and BTC/USDC:USDC');
  const templates = await fetchJson(`${ORM}/strategies/catalog`, { token });
  const template = templates.body[0];
  assert.ok(template?.cat_str_id, 'the strategy catalog is not empty');

  // 3. An exchange account; its credentials are stored encrypted and never returned.
  const account = await fetchJson(`${ORM}/exchanges/user-exchanges/`, {
    token, body: { cat_ex_id: kraken.cat_ex_id, name: 'main', credentials: { key: 'example-key', secret: 'example-secret' } },
  });
  assert.equal(account.status, 200, JSON.stringify(account.body));
  assert.equal(account.body.has_credentials, true);
  assert.ok(!JSON.stringify(account.body).includes('example-secret'));
  const exId = account.body.ex_id as number;
  const duplicate = await fetchJson(`${ORM}/exchanges/user-exchanges`, { token, body: { cat_ex_id: kraken.cat_ex_id, name: 'main' } });
  assert.equal(duplicate.status, 409);

  // 4. A bot on that account with a strategy and two feeds.
  const bot = await fetchJson(`${ORM}/bots/`, { token, body: { name: 'example-bot', active: true, dry_run: true, ex_ids: [exId] } });
  assert.equal(bot.status, 200, JSON.stringify(bot.body));
  const botId = bot.body.bot_id as number;
  const strategy = await fetchJson(`${ORM}/strategies/bot-strategies`, {
    token,
    body: {
      bot_id: botId, cat_str_id: template.cat_str_id, size_pct: 10, params: { rsi_period: 14 },
      feed_list: [{ symbol_id: btc.symbol_id, period: 'minutes', compression: 1 }, { symbol_id: btc.symbol_id, period: 'hours', compression: 1 }],
    },
  });
  assert.equal(strategy.status, 200, JSON.stringify(strategy.body));
  const strId = strategy.body.str_id as number;
  assert.equal(strategy.body.feed_list.length, 2);
  console.log(`bot ${botId} on exchange account ${exId} with strategy ${strId}`);

  // 5. An order (fullon's `volume`, never `amount`) and its status change.
  const order = await fetchJson(`${ORM}/orders/`, {
    token, body: { bot_id: botId, cat_ex_id: kraken.cat_ex_id, symbol: 'BTC/USDC', side: 'buy', volume: 0.01, order_type: 'market', status: 'New' },
  });
  assert.equal(order.status, 200, JSON.stringify(order.body));
  assert.equal(order.body.volume, 0.01);
  assert.equal(order.body.exchange, 'kraken');
  const orderId = order.body.order_id as number;
  const open = await fetchJson(`${ORM}/orders/open`, { token });
  assert.deepEqual(open.body.map((o: { order_id: number }) => o.order_id), [orderId]);
  const filled = await fetchJson(`${ORM}/orders/${orderId}/status`, { token, method: 'PATCH', body: { status: 'Filled', final_volume: 0.01 } });
  assert.equal(filled.body.status, 'Filled');

  // 6. A dry trade, the bot's trades and stats.
  const trade = await fetchJson(`${ORM}/trades/dry`, { token, body: { bot_id: botId, symbol: 'BTC/USDC', side: 'buy', volume: 0.01, price: 60000, order_type: 'market' } });
  assert.equal(trade.status, 200, JSON.stringify(trade.body));
  assert.equal(trade.body.cost, 600);
  const trades = await fetchJson(`${ORM}/trades/by-bot?bot_id=${botId}`, { token });
  assert.equal(trades.body.length, 1);
  const stats = await fetchJson(`${ORM}/trades/stats?bot_id=${botId}`, { token });
  assert.equal(stats.body.total_trades, 1);

  // 7. The dashboard, computed in SQL.
  const dashboard = await fetchJson(`${ORM}/views/bot-dashboard/${alice.uid}`, { token });
  assert.equal(dashboard.status, 200);
  assert.equal(dashboard.body.total_bots, 1);
  assert.equal(dashboard.body.active_bots, 1);
  assert.equal(dashboard.body.total_trades, 1);
  console.log(`dashboard: ${JSON.stringify(dashboard.body)}`);

  // 8. Bob sees none of it: 404 (not 403, so existence does not leak) and empty lists.
  const hidden = [
    ['GET', `${ORM}/bots/${botId}`], ['PATCH', `${ORM}/bots/${botId}`], ['DELETE', `${ORM}/bots/${botId}`],
    ['GET', `${ORM}/exchanges/user-exchanges/${exId}`], ['GET', `${ORM}/strategies/bot-strategies/${strId}`],
    ['GET', `${ORM}/orders/${orderId}`], ['GET', `${ORM}/orders/by-bot?bot_id=${botId}`], ['GET', `${ORM}/trades/by-bot?bot_id=${botId}`],
    ['GET', `${ORM}/views/bot-dashboard/${alice.uid}`],
  ] as const;
  for (const [method, path] of hidden) {
    const answer = await fetchJson(path, { token: bobToken, method, body: method === 'PATCH' ? { active: false } : undefined });
    assert.equal(answer.status, 404, `${method} ${path} as bob answered ${answer.status}`);
  }
  for (const path of [`${ORM}/bots`, `${ORM}/exchanges/user-exchanges`, `${ORM}/orders`, `${ORM}/strategies/bot-strategies`]) {
    const list = await fetchJson(path, { token: bobToken });
    assert.deepEqual(list.body, [], `${path} as bob lists ${JSON.stringify(list.body)}`);
  }
  const stillThere = await fetchJson(`${ORM}/bots/${botId}`, { token });
  assert.equal(stillThere.body.active, true, "bob's attempts changed nothing");
  const asAdmin = await fetchJson(`${ORM}/bots/${botId}`, { token: adminToken });
  assert.equal(asAdmin.status, 200, 'the admin sees every bot');
  console.log('bob: 404 on every one of alice\'s rows, empty lists; admin sees all');

  // 9. No identity, no data.
  const anonymous = await fetchJson(`${ORM}/bots`);
  assert.equal(anonymous.status, 401);
  console.log('orm_routes: ok');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
