// Example: health endpoints (DESIGN.md "Health"). A healthy stack answers /health
// "healthy" and /health/check 200; stopping a critical upstream (SERVICE, default
// ohlcv) turns /health/check 503 naming it; starting it brings 200 back.
// Run: GATEWAY_URL=http://127.0.0.1:8000 ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/health_check.ts
import assert from 'node:assert/strict';

const GATEWAY_URL = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8000';
const ADMIN_MAIL = process.env.ADMIN_MAIL ?? 'admin@fullon';
const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD ?? '';
const SERVICE = process.env.SERVICE ?? 'ohlcv';

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${GATEWAY_URL}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function admin(method: string, path: string, token: string): Promise<number> {
  const response = await fetch(`${GATEWAY_URL}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
}

async function login(): Promise<string> {
  const response = await fetch(`${GATEWAY_URL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: ADMIN_MAIL, password: ADMIN_PASSWORD }),
  });
  const body = (await response.json()) as { access_token?: string };
  assert.equal(response.status, 200, 'admin login');
  return body.access_token!;
}

/** The stack may still be settling (a restart, a first check): ask a few times. */
async function eventually(path: string, want: number, attempts = 40): Promise<{ status: number; body: Record<string, unknown> }> {
  let last = await get(path);
  for (let i = 1; i < attempts && last.status !== want; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await get(path);
  }
  assert.equal(last.status, want, `${path}: ${JSON.stringify(last.body)}`);
  return last;
}

async function main(): Promise<void> {
  assert.ok(ADMIN_PASSWORD, 'set ADMIN_PASSWORD');
  assert.deepEqual(await get('/health/live'), { status: 200, body: { status: 'alive' } });
  assert.deepEqual((await eventually('/health/check', 200)).body, { status: 'ok' });

  const cycle = await fetch(`${GATEWAY_URL}/health/check`, { method: 'POST' });
  const cycleBody = (await cycle.json()) as { status: string; result: { overall_status: string; checks_performed: string[] } };
  assert.equal(cycle.status, 200);
  assert.equal(cycleBody.status, 'completed');
  assert.ok(cycleBody.result.checks_performed.includes(SERVICE));

  const health = await get('/health');
  assert.equal(health.status, 200);
  assert.equal(health.body.status, 'healthy', JSON.stringify(health.body.issues));
  assert.equal(health.body.service, 'fullon_master_api');
  assert.ok(!JSON.stringify(health.body).includes('"pid"'), 'public health shows no pids');
  const services = (await get('/health/services')).body.services as Record<string, { healthy: boolean }>;
  assert.equal(services[SERVICE]?.healthy, true);
  const monitor = (await get('/health/monitor')).body;
  assert.ok(monitor.monitoring && monitor.reload);

  const token = await login();
  try {
    assert.equal(await admin('POST', `/api/v1/services/${SERVICE}/stop`, token), 200);
    const down = await eventually('/health/check', 503);
    assert.ok(Object.keys(down.body.failing as object).includes(SERVICE), `503 names ${SERVICE}: ${JSON.stringify(down.body)}`);
    assert.match(String(down.body.detail), new RegExp(SERVICE));
  } finally {
    assert.equal(await admin('POST', `/api/v1/services/${SERVICE}/start`, token), 200);
  }
  assert.deepEqual((await eventually('/health/check', 200)).body, { status: 'ok' });
  console.log('health_check: ok');
}

await main();
