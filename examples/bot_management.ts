// Example: a bot's lifecycle through the gateway (/api/v1/orm/bots): create,
// list and filter, read details, patch, attach a strategy with feeds and change
// it, link and unlink exchange accounts, and delete.
// Run: GATEWAY_URL=http://127.0.0.1:8000 ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/bot_management.ts
import assert from 'node:assert/strict';
import { createUser, fetchJson, login, loginAsAdmin } from './lib/client.ts';

const ORM = '/api/v1/orm';

async function main(): Promise<void> {
  const adminToken = await loginAsAdmin();
  const { mail, password } = await createUser(adminToken, 'bots', { name: 'Bot', lastname: 'Manager' });
  const token = await login(mail, password);

  // Exchange accounts to run the bots on.
  const catalog = (await fetchJson(`${ORM}/exchanges/catalog`, { token })).body as Array<{ cat_ex_id: number; name: string }>;
  const byName = (name: string) => catalog.find((e) => e.name === name)!;
  const krakenAccount = await fetchJson(`${ORM}/exchanges/user-exchanges`, { token, body: { cat_ex_id: byName('kraken').cat_ex_id, name: 'spot' } });
  const bitmexAccount = await fetchJson(`${ORM}/exchanges/user-exchanges`, { token, body: { cat_ex_id: byName('bitmex').cat_ex_id, name: 'futures', test: true } });
  assert.equal(krakenAccount.status, 200);
  assert.equal(bitmexAccount.status, 200);
  const krakenEx = krakenAccount.body.ex_id as number;
  const bitmexEx = bitmexAccount.body.ex_id as number;

  // Create (with and without the trailing slash) and list.
  const first = await fetchJson(`${ORM}/bots/`, { token, body: { name: 'scalper', dry_run: true, ex_ids: [krakenEx] } });
  const second = await fetchJson(`${ORM}/bots`, { token, body: { name: 'swing', active: true, dry_run: false } });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(second.status, 200, JSON.stringify(second.body));
  const botId = first.body.bot_id as number;
  assert.equal(first.body.active, false, 'bots start inactive unless asked');
  // Lists are JSON arrays; paging is limit/offset with the total in X-Total-Count.
  const list = await fetchJson(`${ORM}/bots?limit=1`, { token });
  assert.equal(list.body.length, 1);
  assert.equal(list.headers.get('x-total-count'), '2');
  assert.equal(list.headers.get('link'), '<?limit=1&offset=1>; rel="next"');
  const activeOnly = await fetchJson(`${ORM}/bots?active=true`, { token });
  assert.deepEqual(activeOnly.body.map((b: { name: string }) => b.name), ['swing']);
  console.log(`created bots ${botId} (scalper) and ${second.body.bot_id} (swing)`);

  // Bad input is refused with a 422 list, FastAPI style.
  const invalid = await fetchJson(`${ORM}/bots`, { token, body: { name: '', dry_run: 'yes' } });
  assert.equal(invalid.status, 422);
  assert.ok(Array.isArray(invalid.body.detail));

  // Details and a patch.
  const details = await fetchJson(`${ORM}/bots/${botId}`, { token });
  assert.deepEqual(details.body.exchanges.map((e: { ex_id: number }) => e.ex_id), [krakenEx]);
  assert.deepEqual(details.body.strategies, []);
  const patched = await fetchJson(`${ORM}/bots/${botId}`, { token, method: 'PATCH', body: { name: 'scalper-v2', active: true } });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.name, 'scalper-v2');
  assert.equal(patched.body.active, true);

  // A strategy with params and a feed, then a change of settings and feeds.
  const template = (await fetchJson(`${ORM}/strategies/catalog`, { token })).body[0];
  const symbol = (await fetchJson(`${ORM}/symbols/search?q=BTC`, { token })).body[0];
  const strategy = await fetchJson(`${ORM}/strategies/bot-strategies/`, {
    token, body: { bot_id: botId, cat_str_id: template.cat_str_id, take_profit: 2, stop_loss: 1, params: { period: 20 }, feed_list: [{ symbol_id: symbol.symbol_id, period: 'minutes', compression: 5 }] },
  });
  assert.equal(strategy.status, 200, JSON.stringify(strategy.body));
  const strId = strategy.body.str_id as number;
  const updated = await fetchJson(`${ORM}/strategies/bot-strategies/${strId}`, {
    token, method: 'PUT', body: { take_profit: 3, feed_list: [{ symbol_id: symbol.symbol_id, period: 'hours', compression: 1 }] },
  });
  assert.equal(updated.body.take_profit, 3);
  assert.equal(updated.body.stop_loss, 1, 'settings not given are kept');
  const strategies = await fetchJson(`${ORM}/bots/${botId}/strategies`, { token });
  assert.equal(strategies.body.length, 1);
  const feeds = await fetchJson(`${ORM}/bots/${botId}/feeds`, { token });
  assert.deepEqual(feeds.body.map((f: { period: string }) => f.period), ['hours']);
  console.log(`strategy ${strId} (${template.name}) with feed ${symbol.symbol}`);

  // Exchange links: add, refuse a duplicate, list, remove.
  const linked = await fetchJson(`${ORM}/bots/${botId}/exchanges`, { token, body: { ex_id: bitmexEx } });
  assert.equal(linked.status, 200);
  const again = await fetchJson(`${ORM}/bots/${botId}/exchanges`, { token, body: { ex_id: bitmexEx } });
  assert.equal(again.status, 409);
  const exchanges = await fetchJson(`${ORM}/bots/${botId}/exchanges`, { token });
  assert.deepEqual(exchanges.body.map((e: { ex_id: number }) => e.ex_id).sort(), [krakenEx, bitmexEx].sort());
  const unlinked = await fetchJson(`${ORM}/bots/${botId}/exchanges/${krakenEx}`, { token, method: 'DELETE' });
  assert.equal(unlinked.status, 204);

  // Delete: the strategy, then the bot (its links, feeds and trades go with it).
  assert.equal((await fetchJson(`${ORM}/strategies/bot-strategies/${strId}`, { token, method: 'DELETE' })).status, 204);
  assert.equal((await fetchJson(`${ORM}/bots/${botId}`, { token, method: 'DELETE' })).status, 204);
  assert.equal((await fetchJson(`${ORM}/bots/${botId}`, { token })).status, 404);
  assert.equal((await fetchJson(`${ORM}/bots`, { token })).body.length, 1);
  assert.equal((await fetchJson(`${ORM}/bots/${second.body.bot_id}`, { token, method: 'DELETE' })).status, 204);
  console.log('bot_management: ok');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
