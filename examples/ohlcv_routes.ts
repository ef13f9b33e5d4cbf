// Example: the ohlcv upstream through the gateway (/api/v1/ohlcv). The admin
// ingests a day of 1-minute candles for BTC/USDC on an exchange name of its own
// (the collectors write real exchanges such as kraken), reads them back as 1m,
// 1h and 1d (checking the daily candle against the minute data), through the
// older path forms fullon clients still send and with fullon_ohlcv_api's limit
// semantics, reads the catalogue and some trades (sides sent as BUY/SELL),
// then subscribes to the live stream over WebSocket, ingests one more minute
// and receives the update.
// Run: GATEWAY_URL=http://127.0.0.1:8000 ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/ohlcv_routes.ts
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { fetchJson, loginAsAdmin, wsUrl } from './lib/client.ts';

const OHLCV = '/api/v1/ohlcv';
// Symbols travel URL-encoded, as fullon clients send them (quote(symbol, safe=""));
// the ingest below sends the slash raw, which works too.
const EXCHANGE = 'example_ohlcv';
const PAIR = `${EXCHANGE}/${encodeURIComponent('BTC/USDC')}`;
const DAY = Date.UTC(2024, 1, 29); // a leap day, so reruns ingest the same rows

function dayOfCandles() {
  let price = 60_000;
  return Array.from({ length: 1440 }, (_, i) => {
    const open = price;
    const close = Math.round((open + Math.sin(i / 20) * 40) * 100) / 100;
    price = close;
    return { timestamp: new Date(DAY + i * 60_000).toISOString(), open, high: Math.max(open, close) + 5, low: Math.min(open, close) - 5, close, vol: 1 + (i % 10) / 10 };
  });
}

function openStream(token: string): Promise<{ socket: WebSocket; next: () => Promise<any> }> {
  const socket = new WebSocket(wsUrl(`${OHLCV}/ws/ohlcv`), { headers: { authorization: `Bearer ${token}` } });
  const queue: any[] = [];
  const waiters: Array<(message: any) => void> = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  const next = () => {
    const queued = queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise<any>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no WebSocket message within 10 s')), 10_000);
      waiters.push((message) => {
        clearTimeout(timer);
        resolve(message);
      });
    });
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, next }));
    socket.once('error', reject);
  });
}

async function main(): Promise<void> {
  const token = await loginAsAdmin();

  // 1. Ingest one day of minute candles (idempotent upsert, so reruns are harmless).
  const candles = dayOfCandles();
  const ingested = await fetchJson(`${OHLCV}/candles/${EXCHANGE}/BTC/USDC`, { token, body: { candles } });
  assert.equal(ingested.status, 200, JSON.stringify(ingested.body));
  assert.equal(ingested.body.received, 1440);
  console.log(`ingested ${ingested.body.received} candles (${ingested.body.inserted} new, ${ingested.body.updated} changed)`);

  // 2. Read them back as 1m, 1h and 1d. A range without `limit` is the whole range.
  const range = `start_time=2024-02-29T00:00:00Z&end_time=2024-02-29T23:59:00Z`;
  const minutes = await fetchJson(`${OHLCV}/candles/${PAIR}/1m/range?${range}`, { token });
  assert.equal(minutes.status, 200, JSON.stringify(minutes.body));
  assert.equal(minutes.body.success, true);
  assert.equal(minutes.body.count, 1440);
  assert.equal(minutes.body.limit, null);
  assert.deepEqual(minutes.body.candles[0], candles[0]);
  const hours = await fetchJson(`${OHLCV}/candles/${PAIR}/1h/range?${range}`, { token });
  assert.equal(hours.body.count, 24);
  assert.equal(hours.body.candles[5].timestamp, '2024-02-29T05:00:00.000Z');
  const days = await fetchJson(`${OHLCV}/candles/${PAIR}/1d/range?${range}`, { token });
  assert.equal(days.body.count, 1);
  const daily = days.body.candles[0];
  assert.equal(daily.timestamp, '2024-02-29T00:00:00.000Z');
  assert.equal(daily.open, candles[0]!.open);
  assert.equal(daily.close, candles.at(-1)!.close);
  assert.equal(daily.high, Math.max(...candles.map((c) => c.high)));
  assert.equal(daily.low, Math.min(...candles.map((c) => c.low)));
  assert.ok(Math.abs(daily.vol - candles.reduce((sum, c) => sum + c.vol, 0)) < 1e-6);
  console.log(`1d candle: open ${daily.open} high ${daily.high} low ${daily.low} close ${daily.close} vol ${daily.vol}`);
  const invalid = await fetchJson(`${OHLCV}/candles/${PAIR}/7m`, { token });
  assert.equal(invalid.status, 422);
  assert.match(String(invalid.body.detail), /Invalid timeframe '7m'\. Supported: 1m/);

  // 2b. With `limit`, a timeseries (or range) answers the newest `limit` candles of the range.
  const newest = await fetchJson(`${OHLCV}/timeseries/${PAIR}/ohlcv?timeframe=1h&${range}&limit=3`, { token });
  assert.deepEqual(newest.body.ohlcv.map((c: { timestamp: string }) => c.timestamp), ['2024-02-29T21:00:00.000Z', '2024-02-29T22:00:00.000Z', '2024-02-29T23:00:00.000Z']);

  // 2c. The older path forms fullon clients still send: /{exchange}/{symbol}/{timeframe},
  // /{exchange}/{symbol}/ohlcv (timeseries) and /{exchange}/{symbol} (1m).
  const legacyHours = await fetchJson(`${OHLCV}/${PAIR}/1h?${range}`, { token });
  assert.equal(legacyHours.status, 200, JSON.stringify(legacyHours.body));
  assert.deepEqual(legacyHours.body.candles, hours.body.candles);
  const legacySeries = await fetchJson(`${OHLCV}/${PAIR}/ohlcv?timeframe=1d&${range}`, { token });
  assert.deepEqual(legacySeries.body.ohlcv, days.body.candles);
  const legacyBasic = await fetchJson(`${OHLCV}/${PAIR}?limit=2`, { token });
  assert.equal(legacyBasic.body.count, 2);
  console.log(`older forms: ${legacyHours.body.count} hourly candles via /${PAIR}/1h, the daily one via /${PAIR}/ohlcv`);

  // 3. Trades: a few in, the latest back.
  const trades = [
    { timestamp: '2024-02-29T12:00:01.500Z', price: 61_000, volume: 0.2, side: 'BUY', type: 'MARKET' },
    { timestamp: '2024-02-29T12:00:02.250Z', price: 61_010, volume: 0.1, side: 'sell', type: 'limit' },
  ];
  assert.equal((await fetchJson(`${OHLCV}/trades/${PAIR}`, { token, body: { trades } })).status, 200);
  const tradeRange = await fetchJson(`${OHLCV}/trades/${PAIR}/range?start_time=2024-02-29T12:00:00Z&end_time=2024-02-29T12:00:59Z`, { token });
  assert.deepEqual(tradeRange.body.trades.map((t: { price: number }) => t.price), [61_000, 61_010]);
  assert.deepEqual(tradeRange.body.trades.map((t: { side: string; type: string }) => `${t.side} ${t.type}`), ['buy market', 'sell limit']);

  // 4. The catalogue is real: our exchange lists BTC/USDC with its span and counts.
  const exchanges = await fetchJson(`${OHLCV}/exchanges`, { token });
  assert.ok(exchanges.body.exchanges.some((e: { exchange: string; symbol_count: number }) => e.exchange === EXCHANGE && e.symbol_count >= 1));
  const symbols = await fetchJson(`${OHLCV}/exchanges/${EXCHANGE}/symbols`, { token });
  const btc = symbols.body.symbols.find((s: { symbol: string }) => s.symbol === 'BTC/USDC');
  assert.ok(btc && btc.candle_count >= 1440, JSON.stringify(symbols.body));
  console.log(`catalogue: ${EXCHANGE} BTC/USDC ${btc.candle_count} candles from ${btc.first_timestamp} to ${btc.last_timestamp}`);

  // 5. Live: subscribe to 1m, ingest the next minute, receive the update.
  const { socket, next } = await openStream(token);
  try {
    socket.send(JSON.stringify({ action: 'subscribe', exchange: EXCHANGE, symbol: 'BTC/USDC', timeframe: '1m', type: 'ohlcv_live' }));
    const confirmed = await next();
    assert.equal(confirmed.type, 'subscription_confirmed', JSON.stringify(confirmed));
    socket.send('{not json');
    assert.equal((await next()).type, 'error');
    // A fresh volume each run, so the upsert changes the row and an update is due.
    const extra = { timestamp: '2024-03-01T00:00:00.000Z', open: 60_100, high: 60_150, low: 60_050, close: 60_120, vol: Math.round(Math.random() * 1000) / 100 + 1 };
    assert.equal((await fetchJson(`${OHLCV}/candles/${PAIR}`, { token, body: { candles: [extra] } })).status, 200);
    const update = await next();
    assert.equal(update.type, 'ohlcv_update', JSON.stringify(update));
    assert.deepEqual(update.data, { timestamp: extra.timestamp, open: extra.open, high: extra.high, low: extra.low, close: extra.close, volume: extra.vol, is_final: true });
    console.log(`live update: ${JSON.stringify(update.data)}`);
  } finally {
    socket.close();
  }
  console.log('ohlcv_routes: ok');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
