// The real cache process end to end (spawned like the supervisor does): health,
// an authenticated stream, a write that reaches it, and a clean SIGTERM exit;
// and the in-process store when REDIS_URL is not set.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_ASSERTION_ENV, signTestAssertion } from '../../../helpers/assertion.ts';
import { workerRedis } from '../../../helpers/isolation.ts';
import { startProcess, type StartedProcess } from '../../../helpers/processes.ts';
import { TestClient } from './harness.ts';

const SCRIPT = 'upstreams/cache/main.ts';

describe('cache process', () => {
  let child: StartedProcess | undefined;
  const prefix = `p${randomBytes(4).toString('hex')}`;
  afterEach(async () => {
    await child?.stop();
    child = undefined;
    const redis = new Redis(workerRedis().url);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it.each([
    ['Redis', () => ({ REDIS_URL: workerRedis().url, CACHE_KEY_PREFIX: prefix }), 'redis'],
    ['the in-process store', () => ({ REDIS_URL: '' }), 'memory'],
  ])('serves health, streams and writes over %s, and exits 0 on SIGTERM', async (_name, env, kind) => {
    child = await startProcess(SCRIPT, { ...TEST_ASSERTION_ENV, UPSTREAM_ORM_API_URL: '', ...env() });
    const health = await fetch(`${child.url}/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', service: 'cache_api', store: kind, redis: { ok: true } });

    const admin = await signTestAssertion('cache_api', { userId: 1, role: 'admin' });
    const client = await TestClient.open(`ws://127.0.0.1:${child.port}/ws/tickers/e2e`, { headers: { 'x-gateway-assertion': admin } });
    expect(await client.request('stream_tickers', { exchange: 'e2e', symbols: ['BTC/USDT'] }, 's')).toMatchObject({ success: true, stream_key: 'e2e:s' });
    const posted = await fetch(`${child.url}/tickers/e2e/BTC/USDT`, {
      method: 'POST',
      headers: { 'x-gateway-assertion': admin, 'content-type': 'application/json' },
      body: JSON.stringify({ price: 42 }),
    });
    expect(posted.status).toBe(201);
    expect((await client.next((m) => m.action === 'ticker_update')).result).toMatchObject({ stream_key: 'e2e:s', price: 42 });
    client.socket.close();
    expect(await child.stop()).toBe(0);
  });
});
