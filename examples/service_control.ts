// Example: admin service control through the gateway (DESIGN.md "Service control").
// Lists services, walks one (SERVICE, default ohlcv) stopped → start → running →
// restart → stop → stopped, checks a second stop is 409, a regular user gets 403
// and an unknown name 404, then leaves the service running as it found it.
// Run: GATEWAY_URL=http://127.0.0.1:8000 ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/service_control.ts
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

const GATEWAY_URL = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8000';
const ADMIN_MAIL = process.env.ADMIN_MAIL ?? 'admin@fullon';
const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD ?? '';
const SERVICE = process.env.SERVICE ?? 'ohlcv';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(method: string, path: string, token: string | null, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${GATEWAY_URL}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** OAuth2 password form, as fullon clients send it. */
async function login(mail: string, password: string): Promise<string> {
  const response = await fetch(`${GATEWAY_URL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: mail, password }),
  });
  const body = (await response.json()) as { access_token?: string; detail?: unknown };
  assert.equal(response.status, 200, `login of ${mail} failed: ${JSON.stringify(body)}`);
  assert.ok(body.access_token);
  return body.access_token;
}

async function status(token: string): Promise<Record<string, unknown>> {
  const answer = await call('GET', `/api/v1/services/${SERVICE}/status`, token);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

async function main(): Promise<void> {
  assert.ok(ADMIN_PASSWORD, 'set ADMIN_PASSWORD');
  const admin = await login(ADMIN_MAIL, ADMIN_PASSWORD);

  const list = await call('GET', '/api/v1/services', admin);
  assert.equal(list.status, 200);
  const services = list.body.services as Record<string, { status: string }>;
  assert.ok(services[SERVICE], `${SERVICE} is not supervised: ${Object.keys(services).join(', ')}`);
  console.log('services:', Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s.status])));

  const initial = await status(admin);
  if (initial.status !== 'stopped') {
    assert.deepEqual((await call('POST', `/api/v1/services/${SERVICE}/stop`, admin)).body, { service: SERVICE, status: 'stopped' });
  }
  assert.equal((await status(admin)).status, 'stopped');

  const started = await call('POST', `/api/v1/services/${SERVICE}/start`, admin);
  assert.deepEqual(started, { status: 200, body: { service: SERVICE, status: 'started' } });
  const running = await status(admin);
  assert.equal(running.status, 'running');
  assert.equal(running.is_running, true);
  assert.equal(typeof running.pid, 'number');

  const again = await call('POST', `/api/v1/services/${SERVICE}/start`, admin);
  assert.equal(again.status, 409, 'a second start is refused');

  const restarted = await call('POST', `/api/v1/services/${SERVICE}/restart`, admin);
  assert.deepEqual(restarted, { status: 200, body: { service: SERVICE, status: 'restarted' } });
  const afterRestart = await status(admin);
  assert.equal(afterRestart.status, 'running');
  assert.notEqual(afterRestart.pid, running.pid, 'restart runs a new process');

  const logs = await call('GET', `/api/v1/services/${SERVICE}/logs?lines=5`, admin);
  assert.equal(logs.status, 200);
  assert.ok(Array.isArray(logs.body.lines) && logs.body.lines.length <= 5);
  assert.equal((await call('GET', `/api/v1/services/${SERVICE}/logs?lines=0`, admin)).status, 422);

  assert.deepEqual((await call('POST', `/api/v1/services/${SERVICE}/stop`, admin)).body, { service: SERVICE, status: 'stopped' });
  assert.equal((await status(admin)).status, 'stopped');
  const secondStop = await call('POST', `/api/v1/services/${SERVICE}/stop`, admin);
  assert.equal(secondStop.status, 409);
  assert.match(String(secondStop.body.detail), /not running/);

  const unknown = await call('GET', '/api/v1/services/no-such-service/status', admin);
  assert.equal(unknown.status, 404);

  const mail = `svc-example-${randomUUID()}@example.com`;
  const created = await call('POST', '/api/v1/orm/users', admin, { mail, password: 'example-password-1', name: 'Example', role: 'user' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const user = await login(mail, 'example-password-1');
  const forbidden = await call('GET', '/api/v1/services', user);
  assert.equal(forbidden.status, 403);
  assert.deepEqual(forbidden.body, { detail: 'Admin access required' });
  assert.equal((await call('GET', '/api/v1/services', null)).status, 401);

  // Leave the stack as we found it.
  if (initial.status === 'running') assert.equal((await call('POST', `/api/v1/services/${SERVICE}/start`, admin)).status, 200);
  console.log('service_control: ok');
}

await main();
