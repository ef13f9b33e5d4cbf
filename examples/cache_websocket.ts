// Example: the cache upstream through the gateway (/api/v1/cache). A WebSocket
// without a token is refused before the upgrade; a regular user reads a ticker,
// streams it, receives the update the admin publishes through the write
// endpoint (stored and published in fullon's Redis layout), unsubscribes and
// gets nothing more; asking for someone else's balance answers BALANCE_NOT_FOUND.
// Then what older fullon clients do: a request keyed `operation` (health_check),
// an exchange given by name (get_queue_length), and the per-stream paths of
// example_cache_websocket.py with ?token= (/ws/tickers/{exchange}/{symbol} with
// the symbol URL-encoded, /ws/balances/{ex_id}) that push plain objects.
// Run: GATEWAY_URL=http://127.0.0.1:8000 ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/cache_websocket.ts
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { createUser, fetchJson, login, loginAsAdmin, wsUrl } from './lib/client.ts';

const CACHE = '/api/v1/cache';
// An exchange name of our own keeps reruns and parallel runs apart.
const EXCHANGE = `example_${randomUUID().slice(0, 8)}`;
const SYMBOL = 'BTC/USDT';

interface Socket {
  socket: WebSocket;
  messages: any[];
  request(action: string, params?: Record<string, unknown>): Promise<any>;
  next(match: (message: any) => boolean): Promise<any>;
}

/**
 * Opens a cache socket; resolves with the HTTP status when the upgrade is refused.
 * The token goes in Authorization, or in ?token= as fullon's browser-style clients send it.
 */
function open(path: string, token?: string, via: 'header' | 'query' = 'header'): Promise<Socket | { refused: number }> {
  const url = via === 'query' && token ? `${CACHE}${path}?token=${encodeURIComponent(token)}` : `${CACHE}${path}`;
  const socket = new WebSocket(wsUrl(url), token && via === 'header' ? { headers: { authorization: `Bearer ${token}` } } : {});
  const messages: any[] = [];
  const waiters: Array<{ match: (m: any) => boolean; resolve: (m: any) => void }> = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    messages.push(message);
    const index = waiters.findIndex((waiter) => waiter.match(message));
    if (index >= 0) waiters.splice(index, 1)[0]!.resolve(message);
  });
  const claimed = new Set<any>();
  // A message that arrived before anyone asked (a feed's first frame) still counts, once.
  const next = (match: (m: any) => boolean) => {
    const earlier = messages.find((m) => !claimed.has(m) && match(m));
    if (earlier) {
      claimed.add(earlier);
      return Promise.resolve(earlier);
    }
    return new Promise<any>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching WebSocket message within 10 s')), 10_000);
      waiters.push({ match, resolve: (m) => (clearTimeout(timer), claimed.add(m), resolve(m)) });
    });
  };
  let counter = 0;
  const request = (action: string, params: Record<string, unknown> = {}) => {
    const requestId = `req-${++counter}`;
    const reply = next((m) => m.request_id === requestId && 'success' in m);
    socket.send(JSON.stringify({ action, request_id: requestId, params }));
    return reply;
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, messages, request, next }));
    socket.once('unexpected-response', (req, response) => {
      req.destroy();
      resolve({ refused: response.statusCode ?? 0 });
    });
    socket.once('error', reject);
  });
}

async function publishTicker(adminToken: string, price: number): Promise<void> {
  const written = await fetchJson(`${CACHE}/tickers/${EXCHANGE}/${SYMBOL}`, { token: adminToken, body: { price, volume: 1.5, bid: price - 0.5, ask: price + 0.5 } });
  assert.equal(written.status, 201, JSON.stringify(written.body));
}

async function main(): Promise<void> {
  const adminToken = await loginAsAdmin();

  // 1. No token: refused before the upgrade.
  const anonymous = await open('/ws/tickers/anonymous');
  assert.deepEqual(anonymous, { refused: 401 });

  // 2. A regular user of our own.
  const { mail, password } = await createUser(adminToken, 'cache', { name: 'Cache', lastname: 'Example' });
  const userToken = await login(mail, password);

  // 3. The admin (a collector) writes a ticker; the user reads it.
  await publishTicker(adminToken, 100);
  const opened = await open(`/ws/tickers/${randomUUID().slice(0, 8)}`, userToken);
  assert.ok('socket' in opened, `upgrade refused: ${JSON.stringify(opened)}`);
  const ws = opened;
  const ticker = await ws.request('get_ticker', { exchange: EXCHANGE, symbol: SYMBOL });
  assert.equal(ticker.success, true, JSON.stringify(ticker));
  assert.equal(ticker.result.price, 100);
  assert.equal(ticker.result.symbol, SYMBOL);

  // 4. Stream it; a new tick arrives as ticker_update.
  const started = await ws.request('stream_tickers', { exchange: EXCHANGE, symbols: [SYMBOL] });
  assert.equal(started.success, true, JSON.stringify(started));
  const streamKey = started.stream_key as string;
  const update = ws.next((m) => m.action === 'ticker_update');
  await publishTicker(adminToken, 101.25);
  const received = await update;
  assert.equal(received.result.stream_key, streamKey);
  assert.equal(received.result.price, 101.25);

  // 5. Unsubscribe: later ticks are not sent.
  const off = await ws.request('unsubscribe', { stream_key: streamKey });
  assert.equal(off.success, true, JSON.stringify(off));
  await publishTicker(adminToken, 102);
  await ws.request('ping'); // everything sent before the pong has arrived
  assert.equal(ws.messages.filter((m) => m.action === 'ticker_update').length, 1);

  // 6. Someone else's balance: exactly like a missing one.
  const exId = 900_000_000 + Math.floor(Math.random() * 1_000_000);
  const balance = await fetchJson(`${CACHE}/accounts/${exId}`, { token: adminToken, body: { USDT: { total: 1000, free: 900, used: 100 } } });
  assert.equal(balance.status, 201, JSON.stringify(balance.body));
  // Account actions live on the accounts path (or plain /ws), as in fullon_cache_api.
  const accounts = await open(`/ws/accounts/${randomUUID().slice(0, 8)}`, userToken);
  assert.ok('socket' in accounts, `upgrade refused: ${JSON.stringify(accounts)}`);
  const private_ = await accounts.request('get_balance', { user_id: exId, currency: 'USDT' });
  assert.equal(private_.success, false);
  assert.equal(private_.error_code, 'BALANCE_NOT_FOUND');

  const adminWs = await open('/ws/accounts/admin-check', adminToken);
  assert.ok('socket' in adminWs);
  const seen = await adminWs.request('get_balance', { user_id: exId, currency: 'USDT' });
  assert.equal(seen.success, true, JSON.stringify(seen));
  assert.equal(seen.result.total_balance, 1000);

  // 7. fullon_cache_api's /ws keyed requests `operation`; health_check reports the cache.
  const plain = await open('/ws', userToken);
  assert.ok('socket' in plain);
  const healthReply = plain.next((m) => m.request_id === 'health');
  plain.socket.send(JSON.stringify({ request_id: 'health', operation: 'health_check', params: {} }));
  const health = await healthReply;
  assert.equal(health.success, true, JSON.stringify(health));
  assert.equal(health.result.cache.status, 'healthy');

  // 8. Exchanges by name where fullon_cache takes them: nobody queued orders on ours.
  const queue = await plain.request('get_queue_length', { exchange: EXCHANGE });
  assert.deepEqual([queue.success, queue.result.exchange, queue.result.queue_length], [true, EXCHANGE, 0]);

  // 9. The per-stream ticker path: the current ticker first, then each new one, as plain objects.
  const feed = await open(`/ws/tickers/${EXCHANGE}/${encodeURIComponent(SYMBOL)}`, userToken, 'query');
  assert.ok('socket' in feed, `upgrade refused: ${JSON.stringify(feed)}`);
  const current = await feed.next(() => true);
  assert.equal(current.price, 102);
  assert.equal(typeof current.time, 'number');
  const newer = feed.next((m) => m.price === 103.5);
  await publishTicker(adminToken, 103.5);
  assert.equal((await newer).bid, 103);

  // 10. The per-account balance path (the admin may read any account).
  const balances = await open(`/ws/balances/${exId}`, adminToken, 'query');
  assert.ok('socket' in balances);
  assert.deepEqual((await balances.next(() => true)).USDT, { total: 1000, free: 900, used: 100 });
  console.log(`feeds: ticker ${current.price} → 103.5, balances of ${exId} received`);

  for (const socket of [ws, accounts, adminWs, plain, feed, balances]) socket.socket.close();
  console.log('cache_websocket: ok');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
