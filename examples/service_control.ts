// Example: admin service control through the gateway (DESIGN.md "Service control").
// Lists services, walks one (SERVICE, default ohlcv_api) stopped → start → running →
// restart → stop → stopped, checks a second stop is 409, a regular user gets 403
// and an unknown name 404, then leaves the service running as it found it.
// Run: GATEWAY_URL=http://127.0.0.1:8000 ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/service_control.ts
import assert from 'node:assert/strict';
import { createUser, fetchJson, login, loginAsAdmin } from './lib/client.ts';

const SERVICE = process.env.SERVICE ?? 'ohlcv_api';

async function status(token: string): Promise<Record<string, unknown>> {
  const answer = await fetchJson(`/api/v1/services/${SERVICE}/status`, { token });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

async function main(): Promise<void> {
  const admin = await loginAsAdmin();

  const list = await fetchJson('/api/v1/services', { token: admin });
  assert.equal(list.status, 200);
  const services = list.body.services as Record<string, { status: string }>;
  assert.ok(services[SERVICE], `${SERVICE} is not supervised: ${Object.keys(services).join(', ')}`);
  console.log('services:', Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s.status])));

  const initial = await status(admin);
  if (initial.status !== 'stopped') {
    assert.deepEqual((await fetchJson(`/api/v1/services/${SERVICE}/stop`, { method: 'POST', token: admin })).body, { service: SERVICE, status: 'stopped' });
  }
  assert.equal((await status(admin)).status, 'stopped');

  const started = await fetchJson(`/api/v1/services/${SERVICE}/start`, { method: 'POST', token: admin });
  assert.deepEqual({ status: started.status, body: started.body }, { status: 200, body: { service: SERVICE, status: 'started' } });
  const running = await status(admin);
  assert.equal(running.status, 'running');
  assert.equal(running.is_running, true);
  assert.equal(typeof running.pid, 'number');

  const again = await fetchJson(`/api/v1/services/${SERVICE}/start`, { method: 'POST', token: admin });
  assert.equal(again.status, 409, 'a second start is refused');

  const restarted = await fetchJson(`/api/v1/services/${SERVICE}/restart`, { method: 'POST', token: admin });
  assert.deepEqual({ status: restarted.status, body: restarted.body }, { status: 200, body: { service: SERVICE, status: 'restarted' } });
  const afterRestart = await status(admin);
  assert.equal(afterRestart.status, 'running');
  assert.notEqual(afterRestart.pid, running.pid, 'restart runs a new process');

  const logs = await fetchJson(`/api/v1/services/${SERVICE}/logs?lines=5`, { token: admin });
  assert.equal(logs.status, 200);
  // Structured entries: which process (pid, generation) wrote what, at which level.
  const entries = logs.body.entries as Array<{ time: string; generation: number; pid: number | null; stream: string; level: string; msg: string; fields: object }>;
  assert.ok(Array.isArray(entries) && entries.length > 0 && entries.length <= 5, JSON.stringify(logs.body));
  for (const entry of entries) {
    assert.equal(typeof entry.msg, 'string');
    assert.ok(Number.isInteger(entry.generation) && entry.generation >= 1);
    assert.ok(['stdout', 'stderr'].includes(entry.stream) && typeof entry.level === 'string' && typeof entry.fields === 'object');
  }
  assert.equal((await fetchJson(`/api/v1/services/${SERVICE}/logs?lines=0`, { token: admin })).status, 422);

  assert.deepEqual((await fetchJson(`/api/v1/services/${SERVICE}/stop`, { method: 'POST', token: admin })).body, { service: SERVICE, status: 'stopped' });
  assert.equal((await status(admin)).status, 'stopped');
  const secondStop = await fetchJson(`/api/v1/services/${SERVICE}/stop`, { method: 'POST', token: admin });
  assert.equal(secondStop.status, 409);
  assert.match(String(secondStop.body.detail), /not running/);

  const unknown = await fetchJson('/api/v1/services/no-such-service/status', { token: admin });
  assert.equal(unknown.status, 404);

  const { mail, password } = await createUser(admin, 'svc-example', { name: 'Example', role: 'user' });
  const user = await login(mail, password);
  const forbidden = await fetchJson('/api/v1/services', { token: user });
  assert.equal(forbidden.status, 403);
  assert.deepEqual(forbidden.body, { detail: 'Admin access required' });
  assert.equal((await fetchJson('/api/v1/services')).status, 401);

  // Leave the stack as we found it.
  if (initial.status === 'running') assert.equal((await fetchJson(`/api/v1/services/${SERVICE}/start`, { method: 'POST', token: admin })).status, 200);
  console.log('service_control: ok');
}

await main();
