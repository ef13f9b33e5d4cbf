// Example: health endpoints (docs/supervisor-and-health.md). A healthy stack answers
// /health "healthy" and /health/check 200. Stopping a non-critical upstream
// (SERVICE, default ohlcv_api) leaves /health/check 200 — the other APIs still
// serve — while /health says "degraded" and its routes answer 503; stopping the
// critical one (CRITICAL_SERVICE, default orm_api: it answers every login and API
// key) turns /health/check 503 naming it; starting each brings "healthy" back.
// Run: GATEWAY_URL=http://127.0.0.1:8000 ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/health_check.ts
import assert from 'node:assert/strict';
import { adminCredentials, fetchJson, loginAsAdmin, type JsonResponse } from './lib/client.ts';

const SERVICE = process.env.SERVICE ?? 'ohlcv_api';
const CRITICAL_SERVICE = process.env.CRITICAL_SERVICE ?? 'orm_api';

/** The stack may still be settling (a restart, a first check): ask a few times. */
async function eventually(path: string, want: number, attempts = 40): Promise<JsonResponse> {
  let last = await fetchJson(path);
  for (let i = 1; i < attempts && last.status !== want; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await fetchJson(path);
  }
  assert.equal(last.status, want, `${path}: ${JSON.stringify(last.body)}`);
  return last;
}

async function main(): Promise<void> {
  assert.ok(adminCredentials().password, 'set ADMIN_PASSWORD');
  // The root says where things are, as the Python original did.
  const root = await fetchJson('/');
  assert.equal(root.status, 200);
  assert.deepEqual({ ...root.body, version: typeof root.body.version }, { service: 'Fullon Master API', version: 'string', docs: '/docs', health: '/health', api: '/api/v1' });
  const live = await fetchJson('/health/live');
  assert.equal(live.status, 200);
  assert.deepEqual(live.body, { status: 'alive' });
  assert.deepEqual((await eventually('/health/check', 200)).body, { status: 'ok' });

  const cycle = await fetchJson<{ status: string; result: { overall_status: string; checks_performed: string[] } }>('/health/check', { method: 'POST' });
  assert.equal(cycle.status, 200);
  assert.equal(cycle.body.status, 'completed');
  assert.ok(cycle.body.result.checks_performed.includes(SERVICE));

  const health = await fetchJson('/health');
  assert.equal(health.status, 200);
  assert.equal(health.body.status, 'healthy', JSON.stringify(health.body.issues));
  assert.equal(health.body.service, 'fullon_master_api');
  assert.ok(!JSON.stringify(health.body).includes('"pid"'), 'public health shows no pids');
  const services = (await fetchJson('/health/services')).body.services as Record<string, { healthy: boolean }>;
  assert.equal(services[SERVICE]?.healthy, true);
  const monitor = (await fetchJson('/health/monitor')).body;
  assert.ok(monitor.monitoring && monitor.reload);

  const token = await loginAsAdmin();
  try {
    assert.equal((await fetchJson(`/api/v1/services/${SERVICE}/stop`, { method: 'POST', token })).status, 200);
    const degraded = await fetchJson('/health');
    assert.equal(degraded.body.status, 'degraded', JSON.stringify(degraded.body));
    assert.deepEqual((await fetchJson('/health/check')).body, { status: 'ok' }, 'a non-critical upstream down keeps the gateway in the load balancer');
  } finally {
    assert.equal((await fetchJson(`/api/v1/services/${SERVICE}/start`, { method: 'POST', token })).status, 200);
  }
  try {
    // The JWT is checked at the edge, so the admin can still control services while the orm is down.
    assert.equal((await fetchJson(`/api/v1/services/${CRITICAL_SERVICE}/stop`, { method: 'POST', token })).status, 200);
    const down = await eventually('/health/check', 503);
    assert.ok(Object.keys(down.body.failing as object).includes(CRITICAL_SERVICE), `503 names ${CRITICAL_SERVICE}: ${JSON.stringify(down.body)}`);
    assert.match(String(down.body.detail), new RegExp(CRITICAL_SERVICE));
  } finally {
    assert.equal((await fetchJson(`/api/v1/services/${CRITICAL_SERVICE}/start`, { method: 'POST', token })).status, 200);
  }
  assert.deepEqual((await eventually('/health/check', 200)).body, { status: 'ok' });
  let overall = (await fetchJson('/health')).body.status;
  for (let i = 0; i < 40 && overall !== 'healthy'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    overall = (await fetchJson('/health')).body.status;
  }
  assert.equal(overall, 'healthy');
  console.log('health_check: ok');
}

await main();
