// GET /health reports the store's reachability: 200 with latency when it
// answers, 503 with a fixed reason (no driver text) when it does not; reads
// during an outage are 503 too, never a stack trace.
import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../../upstreams/common/db.ts';
import { createLogger } from '../../../../../upstreams/common/logger.ts';
import { createOhlcvApp } from '../../../../../upstreams/ohlcv/app.ts';
import { TEST_ASSERTION_ENV, signTestAssertion } from '../../../../helpers/assertion.ts';

function fakeDb(query: () => Promise<unknown>): Db {
  return { kind: 'postgres', query: query as Db['query'], transaction: () => Promise.reject(new Error('unused')), exec: async () => {}, close: async () => {} };
}

const appOver = (db: Db) => createOhlcvApp({ db, logger: createLogger('ohlcv', 'silent'), env: TEST_ASSERTION_ENV });

describe('GET /health', () => {
  it('answers 200 with the database latency', async () => {
    const { app } = await appOver(fakeDb(async () => ({ rows: [{ '?column?': 1 }], rowCount: 1 })));
    const response = await app.inject({ url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', service: 'ohlcv_api', database: { ok: true, latency_ms: expect.any(Number) } });
    await app.close();
  });

  it('answers 503 when the database is unreachable, and reads fail with 503', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const { app } = await appOver(fakeDb(() => Promise.reject(refused)));
    const response = await app.inject({ url: '/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'degraded', service: 'ohlcv_api', database: { ok: false, latency_ms: expect.any(Number), error: 'unreachable' } });
    const headers = { 'x-gateway-assertion': await signTestAssertion('ohlcv_api', { userId: 1 }) };
    const read = await app.inject({ url: '/candles/kraken/BTC/USDC/1h', headers });
    expect(read.statusCode).toBe(503);
    expect(read.json()).toEqual({ detail: 'Database unavailable' });
    await app.close();
  });
});
