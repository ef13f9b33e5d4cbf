// Example: market data flowing end to end (docs/collectors.md). With the fake
// exchange (a kraken look-alike; `npm run fake-exchange`, EXCHANGE_URLS points the
// collectors at it), an admin adds a kraken exchange account and a symbol,
// starts the `ticker`, `ohlcv` and `account` collectors through /api/v1/services,
// sees a ticker arrive on the cache WebSocket, 1-minute candles in
// /api/v1/ohlcv/candles/... and on the live candle stream, the account's balance
// in the cache, then stops
// them and sees `stopped`.
// Run: GATEWAY_URL=... ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/market_data.ts
//      (the gateway started with EXCHANGE_URLS='{"kraken":"http://127.0.0.1:9100"}')
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { FAKE_ACCOUNT } from '../upstreams/collectors/fake-exchange/server.ts';
import { openCacheSocket } from './lib/cache-socket.ts';
import { fetchJson, loginAsAdmin, waitFor, wsUrl } from './lib/client.ts';

const EXCHANGE = 'kraken';
const SYMBOL = 'ETH/USD';
const COLLECTORS = ['ticker', 'ohlcv', 'account'];

async function control(token: string, service: string, action: 'start' | 'stop'): Promise<void> {
  const answer = await fetchJson(`/api/v1/services/${service}/${action}`, { method: 'POST', token });
  assert.equal(answer.status, 200, `${action} ${service}: ${JSON.stringify(answer.body)}`);
  assert.deepEqual(answer.body, { service, status: action === 'start' ? 'started' : 'stopped' });
}

async function status(token: string, service: string): Promise<any> {
  const answer = await fetchJson(`/api/v1/services/${service}/status`, { token });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

async function main(): Promise<void> {
  const admin = await loginAsAdmin();

  // 1. The exchange (kraken is in the base catalogue) with the fake exchange's test account, and a symbol.
  const catalog = await fetchJson('/api/v1/orm/exchanges/catalog', { token: admin });
  // A JSON array as fullon_orm_api answered (older builds of this stack: {items: [...]}).
  const rows: Array<{ cat_ex_id: number; name: string }> = Array.isArray(catalog.body) ? catalog.body : catalog.body.items;
  const kraken = rows.find((row) => row.name === EXCHANGE);
  assert.ok(kraken, 'kraken is in the exchange catalogue');
  const account = await fetchJson('/api/v1/orm/exchanges/user-exchanges', {
    token: admin,
    body: { cat_ex_id: kraken.cat_ex_id, name: `fake kraken ${Date.now()}`, credentials: { key: FAKE_ACCOUNT.apiKey, secret: FAKE_ACCOUNT.secret } },
  });
  assert.ok([200, 201].includes(account.status), JSON.stringify(account.body));
  const exId = account.body.ex_id as number;
  const symbol = await fetchJson('/api/v1/orm/symbols', { token: admin, body: { symbol: SYMBOL, cat_ex_id: kraken.cat_ex_id, base: 'ETH', quote: 'USD', backtest: 1 } });
  assert.ok([200, 201, 409].includes(symbol.status), JSON.stringify(symbol.body));

  // 2. Start the collectors (stopped first if someone left them running).
  for (const service of COLLECTORS) if ((await status(admin, service)).status !== 'stopped') await control(admin, service, 'stop');
  for (const service of COLLECTORS) await control(admin, service, 'start');
  const ticker = await status(admin, 'ticker');
  assert.equal(ticker.status, 'running');
  assert.equal(ticker.is_running, true);

  // 3. A ticker arrives on the cache WebSocket.
  const ws = await openCacheSocket('/ws/tickers/market-data', admin);
  const stream = await ws.request('stream_tickers', { exchange: EXCHANGE, symbols: [SYMBOL] });
  assert.equal(stream.success, true, JSON.stringify(stream));
  const update = await ws.next((m) => m.action === 'ticker_update', 30_000);
  assert.equal(update.result.symbol, SYMBOL);
  assert.ok(update.result.price > 2_000 && update.result.price < 2_600, `ETH/USD near 2300 on the fake exchange: ${update.result.price}`);
  console.log(`ticker on the WebSocket: ${SYMBOL} ${update.result.price}`);

  // 4. Candles appear in the ohlcv store (backfilled from OHLCV_COLLECT_START, then live).
  let candles: any[] = [];
  await waitFor('1-minute candles of ETH/USD', async () => {
    const answer = await fetchJson(`/api/v1/ohlcv/candles/${EXCHANGE}/${encodeURIComponent(SYMBOL)}/1m?limit=5`, { token: admin });
    candles = answer.status === 200 ? answer.body.candles : [];
    return candles.length > 0;
  }, 60_000).catch(async (error) => {
    throw new Error(`${error.message}; the ohlcv collector says: ${JSON.stringify((await status(admin, 'ohlcv')).collector)}`);
  });
  assert.ok(candles.every((c) => c.open > 2_000 && c.vol >= 0));
  console.log(`candles in /api/v1/ohlcv: ${candles.length} (latest ${candles.at(-1).timestamp})`);

  // 4b. ...and the live candle stream carries what the collector writes (the open minute moves).
  const live = new WebSocket(wsUrl('/api/v1/ohlcv/ws/ohlcv'), { headers: { authorization: `Bearer ${admin}` } });
  const liveMessages: any[] = [];
  const liveUpdate = new Promise<any>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ohlcv_update within 30 s: ${JSON.stringify(liveMessages)}`)), 30_000);
    live.on('message', (data) => {
      const message = JSON.parse(data.toString());
      liveMessages.push(message);
      if (message.type === 'ohlcv_update') (clearTimeout(timer), resolve(message));
    });
  });
  await new Promise((resolve, reject) => live.once('open', resolve).once('error', reject));
  live.send(JSON.stringify({ action: 'subscribe', exchange: EXCHANGE, symbol: SYMBOL, timeframe: '1m', type: 'ohlcv_live' }));
  const candleUpdate = await liveUpdate;
  assert.ok(candleUpdate.data.close > 2_000, JSON.stringify(candleUpdate));
  live.close();
  console.log(`live candle: ${JSON.stringify(candleUpdate.data)}`);

  // 5. The account collector put the test account's balance into the cache.
  const accounts = await openCacheSocket('/ws/accounts/market-data', admin);
  let balance: any = null;
  await waitFor('the fake account balance in the cache', async () => {
    balance = await accounts.request('get_balance', { user_id: exId, currency: 'USD' });
    return balance.success === true;
  }, 30_000);
  assert.ok(balance.result.total_balance >= 10_000, JSON.stringify(balance));
  console.log(`balance of exchange account ${exId}: ${balance.result.total_balance} USD`);

  // 6. The collector says what it follows.
  const detail = (await status(admin, 'ticker')).collector;
  assert.ok(detail && detail.following >= 1, JSON.stringify(detail));

  // 7. Stop them: `stopped`.
  ws.close();
  accounts.close();
  for (const service of COLLECTORS) await control(admin, service, 'stop');
  for (const service of COLLECTORS) assert.equal((await status(admin, service)).status, 'stopped');
  console.log('market_data: ok');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
