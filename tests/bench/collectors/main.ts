// Ticker collector benchmark (not part of the test run): one `ticker` collector
// following 500 symbols on the fake exchange, in a whole stack (gateway, orm_api,
// cache_api, ohlcv_api on Postgres and a private Redis). Measures, over --seconds:
//   - tickers written to the cache per second (the collector's own counter),
//   - end-to-end latency from the fake exchange's price change to a cache
//     WebSocket subscriber (stream_tickers through the gateway), p50/p99: the
//     fake exchange's prices are a pure function of pair and time, so for each
//     update received the subscriber computes when that price became current,
//   - the collector process's memory (RSS now and peak, from /proc).
// The collector follows the fake exchange over its WebSocket (ccxt watchTickers);
// --websocket=false makes it poll REST fetchTickers every --poll-ms instead.
// Run: npm run bench -- collectors [--symbols=500] [--seconds=30] [--poll-ms=250] [--websocket=false]
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { startStack } from '../../../examples/lib/stack.ts';
import { makePairs, priceAt, type FakePair } from '../../../upstreams/collectors/fake-exchange/market-model.ts';
import { freshDatabaseUrl } from '../../helpers/isolation.ts';
import { startTestRedis } from '../../helpers/test-redis.ts';
import { describeMachine, formatMachine } from '../lib/machine.ts';
import { readFlag, readNumberFlag } from '../lib/options.ts';
import { saveResults } from '../lib/results.ts';

const NAMED_PAIRS = 4;
const STREAM_CHUNK = 100;

export async function main(args: string[] = process.argv.slice(2)): Promise<number> {
  const symbolsWanted = readNumberFlag(args, 'symbols', 500, 1);
  const seconds = readNumberFlag(args, 'seconds', 30, 1);
  const pollMs = readNumberFlag(args, 'poll-ms', 250, 10);
  const tickMs = 250; // the fake exchange's default price step in the examples stack
  const websocket = readFlag(args, 'websocket') !== 'false';
  // BTC/USDC is in the base catalogue; T1/USD... are added.
  const pairs = makePairs(NAMED_PAIRS + symbolsWanted - 1);
  const followed = [pairs.find((p) => p.symbol === 'BTC/USDC')!, ...pairs.slice(NAMED_PAIRS)];
  const bySymbol = new Map(followed.map((pair) => [pair.symbol, pair]));

  const say = (line: string) => process.stderr.write(`[bench collectors] ${line}\n`);
  const redis = await startTestRedis();
  const orm = await freshDatabaseUrl('bench_coll_orm');
  const ohlcv = await freshDatabaseUrl('bench_coll_ohlcv');
  const stack = await startStack({
    fakeExchangePairs: pairs.length,
    env: {
      DATABASE_URL: orm.url,
      OHLCV_DATABASE_URL: ohlcv.url,
      REDIS_URL: redis.url,
      LOG_LEVEL: 'info',
      BCRYPT_ROUNDS: '4',
      TICKER_POLL_INTERVAL_MS: String(pollMs),
      EXCHANGE_RATE_LIMIT_MS: String(pollMs),
      COLLECTOR_REFRESH_MS: '60000',
      COLLECTOR_USE_WEBSOCKET: String(websocket),
    },
  });
  say(`stack at ${stack.url}, fake exchange ${stack.fakeExchangeUrl} with ${pairs.length} pairs`);
  try {
    const token = await login(stack.url, stack.adminMail, stack.adminPassword);
    const api = (path: string, init: RequestInit = {}) => fetch(`${stack.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
    const catalog = (await (await api('/api/v1/orm/exchanges/catalog')).json()) as any;
    const kraken = (Array.isArray(catalog) ? catalog : catalog.items).find((row: any) => row.name === 'kraken').cat_ex_id;
    for (const pair of followed.slice(1)) {
      const created = await api('/api/v1/orm/symbols', { method: 'POST', body: JSON.stringify({ symbol: pair.symbol, cat_ex_id: kraken }) });
      if (created.status >= 300) throw new Error(`symbol ${pair.symbol}: ${created.status}`);
    }

    say(`${followed.length} symbols in the catalogue`);
    const latencies: number[] = [];
    let received = 0;
    const socket = new WebSocket(`${stack.url.replace('http', 'ws')}/api/v1/cache/ws/tickers/bench`, { headers: { authorization: `Bearer ${token}` } });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    let measuring = false;
    socket.on('message', (data) => {
      const now = Date.now();
      const message = JSON.parse(data.toString());
      if (message.action !== 'ticker_update' || !measuring) return;
      received++;
      const pair = bySymbol.get(message.result.symbol);
      const changedAt = pair ? changeTime(pair, message.result.price, now, tickMs) : null;
      if (changedAt !== null) latencies.push(now - changedAt);
    });
    const symbols = followed.map((pair) => pair.symbol);
    for (let i = 0; i < symbols.length; i += STREAM_CHUNK) {
      socket.send(JSON.stringify({ action: 'stream_tickers', request_id: `s${i}`, params: { exchange: 'kraken', symbols: symbols.slice(i, i + STREAM_CHUNK) } }));
    }

    const started = await api('/api/v1/services/ticker/start', { method: 'POST' });
    if (started.status !== 200) throw new Error(`ticker start: ${started.status} ${await started.text()}`);
    const status = async () => (await (await api('/api/v1/services/ticker/status')).json()) as any;
    // Warm-up: until every followed symbol has been written once.
    const warmDeadline = Date.now() + 120_000;
    while (((await status()).collector?.counters?.tickers_written ?? 0) < symbols.length) {
      if (Date.now() > warmDeadline) throw new Error('the collector did not write every symbol within 120 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    say('every symbol written once: measuring');
    const first = await status();
    const pid = first.pid as number;
    const written0 = first.collector.counters.tickers_written as number;
    measuring = true;
    const t0 = Date.now();
    const rssSamples: number[] = [];
    while (Date.now() - t0 < seconds * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      rssSamples.push(memory(pid).rssKb);
    }
    measuring = false;
    const elapsedS = (Date.now() - t0) / 1000;
    const changesPerS = countChanges(followed, t0, Date.now(), tickMs) / elapsedS;
    const last = await status();
    const writtenPerS = (last.collector.counters.tickers_written - written0) / elapsedS;
    const mem = memory(pid);
    socket.close();
    latencies.sort((a, b) => a - b);
    const result = {
      machine: describeMachine(),
      symbols: symbols.length,
      seconds: elapsedS,
      mode: websocket ? 'websocket (watchTickers)' : `REST poll every ${pollMs} ms`,
      poll_ms: pollMs,
      price_step_ms: tickMs,
      collector_state: last.collector.state,
      exchange_price_changes_per_s: round(changesPerS),
      updates_written_per_s: round(writtenPerS),
      updates_received_per_s: round(received / elapsedS),
      latency_ms: { samples: latencies.length, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: latencies.at(-1) ?? null },
      collector_memory_mb: { rss_now: round(mem.rssKb / 1024), rss_peak: round(mem.hwmKb / 1024), rss_median_during: round(median(rssSamples) / 1024) },
    };
    console.log(formatMachine(result.machine));
    console.log(`one ticker collector, ${result.symbols} symbols on the fake exchange, ${result.mode}, prices step every ${tickMs} ms, ${elapsedS.toFixed(0)} s`);
    console.log(`  price changes on the exchange:  ${result.exchange_price_changes_per_s}/s`);
    console.log(`  tickers written to the cache:   ${result.updates_written_per_s}/s`);
    console.log(`  updates on the WebSocket:       ${result.updates_received_per_s}/s`);
    console.log(`  price change → subscriber:      p50 ${result.latency_ms.p50} ms, p99 ${result.latency_ms.p99} ms (${latencies.length} samples)`);
    console.log(`  collector RSS:                  ${result.collector_memory_mb.rss_median_during} MB median, ${result.collector_memory_mb.rss_peak} MB peak`);
    console.log(`results: ${await saveResults('collectors', result)}`);
    return 0;
  } finally {
    await stack.stop();
    await orm.drop().catch(() => {});
    await ohlcv.drop().catch(() => {});
    await redis.stop();
  }
}

/** When `price` became the pair's price: the earliest price step, going back from `now`, since which it holds. */
function changeTime(pair: FakePair, price: number, now: number, tickMs: number): number | null {
  let step = Math.floor(now / tickMs) * tickMs;
  for (let i = 0; i < 240 && priceAt(pair, step) !== price; i++) step -= tickMs;
  if (priceAt(pair, step) !== price) return null;
  while (priceAt(pair, step - tickMs) === price && now - step < 60_000) step -= tickMs;
  return step;
}

/** Price changes of the followed pairs between two times (one per pair and price step whose price differs from the step before). */
function countChanges(pairs: FakePair[], from: number, to: number, tickMs: number): number {
  let changes = 0;
  for (const pair of pairs) {
    for (let step = Math.ceil(from / tickMs) * tickMs; step <= to; step += tickMs) if (priceAt(pair, step) !== priceAt(pair, step - tickMs)) changes++;
  }
  return changes;
}

function memory(pid: number): { rssKb: number; hwmKb: number } {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
    return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
  } catch {
    return { rssKb: 0, hwmKb: 0 };
  }
}

async function login(url: string, mail: string, password: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: mail, password }) });
  return ((await response.json()) as { access_token: string }).access_token;
}

function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : 0;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(await main());
