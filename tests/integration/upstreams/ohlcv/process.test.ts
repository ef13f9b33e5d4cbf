// The real ohlcv process end to end: started as the supervisor would (PORT=0,
// OHLCV_DATABASE_URL, GATEWAY_ASSERTION_JWKS), health, ingest over HTTP and a
// live update over a real WebSocket; a direct unauthenticated upgrade gets 401.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerDatabaseUrl } from '../../../helpers/isolation.ts';
import { startProcess, type StartedProcess } from '../../../helpers/processes.ts';
import { TEST_ENV, adminHeaders, minuteCandles, uniqueExchange } from './harness.ts';
import { connect, upgradeStatus } from './ws-client.ts';

describe('ohlcv process', () => {
  let upstream: StartedProcess;
  beforeAll(async () => {
    upstream = await startProcess('upstreams/ohlcv/main.ts', { ...TEST_ENV, OHLCV_DATABASE_URL: await workerDatabaseUrl('ohlcv') });
  });
  afterAll(async () => {
    expect(await upstream?.stop()).toBe(0);
  });

  it('serves health, ingest and the live stream', async () => {
    const health = await fetch(`${upstream.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', service: 'ohlcv_api', database: { ok: true } });

    const wsUrl = `${upstream.url.replace('http', 'ws')}/ws/ohlcv`;
    expect(await upgradeStatus(wsUrl)).toBe(401);

    const admin = await adminHeaders();
    const exchange = uniqueExchange();
    const client = await connect(wsUrl, admin);
    try {
      client.send({ action: 'subscribe', exchange, symbol: 'BTC/USDC', timeframe: '1h', type: 'ohlcv_live' });
      expect(await client.next()).toMatchObject({ type: 'subscription_confirmed', exchange, timeframe: '1h' });
      const response = await fetch(`${upstream.url}/candles/${exchange}/BTC/USDC`, {
        method: 'POST', headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({ candles: minuteCandles(Date.UTC(2024, 1, 29, 23), 60) }),
      });
      expect(response.status).toBe(200);
      expect(await client.next()).toMatchObject({
        type: 'ohlcv_update', exchange, symbol: 'BTC/USDC', timeframe: '1h',
        data: { timestamp: '2024-02-29T23:00:00.000Z', open: 100, high: 160.5, low: 99, close: 159.5, volume: 120, is_final: true },
      });
    } finally {
      await client.close();
    }
  });
});
