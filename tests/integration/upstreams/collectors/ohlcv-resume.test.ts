// The ohlcv collector as a real process under the real supervisor: killed with
// SIGKILL in the middle of its backfill, restarted by the supervisor, it resumes
// from what is stored — every minute from the start to the newest candle exactly
// once with the fake exchange's values, every trade exactly once — and the same
// holds when its store (ohlcv_api) goes away and comes back.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { candleAt, makePairs, tradesBetween } from '../../../../upstreams/collectors/fake-exchange/market-model.ts';
import { startCollectorStack, type CollectorStack } from './harness.ts';

const MINUTE = 60_000;
const HOURS = 10;
const PAIR = makePairs(20).find((pair) => pair.symbol === 'BTC/USDC')!;
const SERIES = `/api/v1/ohlcv/trades/kraken/${encodeURIComponent('BTC/USDC')}`;

describe('ohlcv collector: kill -9 mid-backfill', () => {
  let s: CollectorStack;
  const start = Math.floor(Date.now() / MINUTE) * MINUTE - HOURS * 60 * MINUTE;

  beforeAll(async () => {
    // 10 hours: 600 candles and 7 200 trades (8 pages) at 150 ms per exchange request.
    s = await startCollectorStack({ OHLCV_COLLECT_START: String(start), EXCHANGE_RATE_LIMIT_MS: '150', COLLECTOR_BACKOFF_INITIAL_MS: '200', COLLECTOR_BACKOFF_MAX_MS: '1000' });
  }, 150_000);
  afterAll(async () => {
    await s?.close();
  }, 60_000);

  async function counts(): Promise<{ candles: number; trades: number } | undefined> {
    const answer = await s.get('/api/v1/ohlcv/exchanges/kraken/symbols');
    const row = answer.status === 200 ? (answer.body.symbols as any[]).find((r) => r.symbol === 'BTC/USDC') : undefined;
    return row ? { candles: row.candle_count, trades: row.trade_count } : undefined;
  }

  async function storedTrades(from: number, to: number): Promise<Array<{ timestamp: string; price: number }>> {
    const answer = await s.get(`${SERIES}/range?start_time=${new Date(from).toISOString()}&end_time=${new Date(to).toISOString()}&limit=10000`);
    expect(answer.status).toBe(200);
    return answer.body.trades;
  }

  async function expectComplete(): Promise<void> {
    const candles = (await s.get(`/api/v1/ohlcv/candles/kraken/${encodeURIComponent('BTC/USDC')}/1m/range?start_time=${new Date(start).toISOString()}&end_time=${new Date(Date.now()).toISOString()}&limit=10000`)).body.candles as any[];
    const times = candles.map((c) => Date.parse(c.timestamp));
    // Every minute from the start to the newest, once.
    expect(times[0]).toBe(start);
    expect(times).toEqual(times.map((_, i) => start + i * MINUTE));
    // Closed minutes carry the exchange's values (the newest may still be open).
    for (const candle of candles.slice(0, -1)) {
      const expected = candleAt(PAIR, Date.parse(candle.timestamp), Date.now());
      expect([candle.open, candle.high, candle.low, candle.close]).toEqual([expected.open, expected.high, expected.low, expected.close]);
    }
    const trades = await storedTrades(start, Date.now());
    const last = Date.parse(trades.at(-1)!.timestamp);
    expect(trades.map((t) => Date.parse(t.timestamp))).toEqual(tradesBetween(PAIR, start, last + 1).map((t) => t.time));
  }

  /** On failure: the collector's status, which wait was running, and the recent lines of the collector and its store. */
  function reportOnFailure(): void {
    // Both tests once timed out in a full run (2026-11-30): no trades within 60 s, then no
    // report of the store going down. Most likely the kraken session's first market load
    // failed under load and ccxt handed that failure back on every retry (fixed in
    // exchange-session.ts); if it happens again, this says which step hung.
    onTestFailed(async () => console.error(await s.failureReport('ohlcv', 'ohlcv_api')));
  }

  it('resumes after SIGKILL without a gap or a duplicate', async () => {
    reportOnFailure();
    expect((await s.post('/api/v1/services/ohlcv/start')).body).toEqual({ service: 'ohlcv', status: 'started' });
    const first = await s.status('ohlcv');
    // Mid-backfill: some trades stored, far from all of them.
    await s.until('the first pages of the backfill', async () => {
      const c = await counts();
      return c && c.trades > 0 ? c : undefined;
    });
    process.kill(first.pid, 'SIGKILL');
    const partial = (await counts())!;
    expect(partial.trades).toBeLessThan(HOURS * 720);
    const restarted = await s.until('the supervisor to restart the collector', async () => {
      const st = await s.status('ohlcv');
      return st.status === 'running' && st.pid !== first.pid ? st : undefined;
    });
    expect(restarted.restarts).toBeGreaterThanOrEqual(1);
    expect(restarted.last_exit).toMatchObject({ signal: 'SIGKILL' });
    await s.until('the backfill to catch up', async () => {
      const c = await counts();
      return c && c.trades >= HOURS * 720 && c.candles >= HOURS * 60 ? c : undefined;
    }, 120_000);
    await expectComplete();
  }, 200_000);

  it('waits while its store is down and resumes where it stopped', async () => {
    reportOnFailure();
    expect((await s.post('/api/v1/services/ohlcv_api/stop')).status).toBe(200);
    const waiting = await s.until('the collector to report ohlcv_api down', async () => {
      const st = await s.status('ohlcv');
      return st.collector?.targets?.ohlcv_api?.state === 'backoff' ? st : undefined;
    });
    expect(waiting.status).toBe('running');
    const before = Date.now();
    expect((await s.post('/api/v1/services/ohlcv_api/start')).status).toBe(200);
    await s.until('the collector to write again', async () => {
      const trades = await storedTrades(before, Date.now() + MINUTE).catch(() => []);
      return trades.length > 0 ? true : undefined;
    });
    await expectComplete();
    expect((await s.status('ohlcv')).collector.targets.ohlcv_api.state).toBe('ok');
  }, 120_000);
});
