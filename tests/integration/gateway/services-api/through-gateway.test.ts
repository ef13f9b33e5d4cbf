// The services API, the health endpoints and the supervisor's registry marks as a
// client sees them through the real gateway pipeline and proxy.
import { afterEach, describe, expect, it } from 'vitest';
import { nextTransition } from '../../../fixtures/processes/wait.ts';
import { request } from '../proxy/harness.ts';
import { startSupervisedStack, type SupervisedStack } from './harness.ts';

let stack: SupervisedStack | null = null;

afterEach(async () => {
  await stack?.close();
  stack = null;
});

const admin = { authorization: 'Bearer admin' };

describe('services API through the gateway', () => {
  it('enforces the admin policy: 401 anonymous, 403 user, 200 admin', async () => {
    stack = await startSupervisedStack();
    const url = `${stack.gateway.url}/api/v1/services`;
    expect((await request(url)).status).toBe(401);
    const user = await request(url, { headers: { authorization: 'Bearer user' } });
    expect(user.status).toBe(403);
    expect(user.json()).toEqual({ detail: 'Admin access required' });
    const listed = await request(url, { headers: admin });
    expect(listed.status).toBe(200);
    expect(listed.json().services.orm).toMatchObject({ service: 'orm', status: 'running', managed: true });
  });

  it('answers a stopped upstream with 503 + Retry-After at once, /health/check names it, start brings both back', async () => {
    stack = await startSupervisedStack();
    const base = stack.gateway.url;
    expect((await request(`${base}/api/v1/orm/hello`)).status).toBe(200);
    const stopped = await request(`${base}/api/v1/services/orm/stop`, { method: 'POST', headers: admin });
    expect(stopped.json()).toEqual({ service: 'orm', status: 'stopped' });
    const refused = await request(`${base}/api/v1/orm/hello`);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    const check = await request(`${base}/health/check`);
    expect(check.status).toBe(503);
    expect(check.json().failing).toHaveProperty('orm');
    const second = await request(`${base}/api/v1/services/orm/stop`, { method: 'POST', headers: admin });
    expect(second.status).toBe(409);
    expect(second.json().detail).toMatch(/not running/);
    expect((await request(`${base}/api/v1/services/orm/start`, { method: 'POST', headers: admin })).json()).toEqual({ service: 'orm', status: 'started' });
    expect((await request(`${base}/api/v1/orm/hello`)).status).toBe(200);
    expect((await request(`${base}/health/check`)).json()).toEqual({ status: 'ok' });
  });

  it('after kill -9 the next request gets a fast 502/503 and the upstream is back within its backoff', async () => {
    stack = await startSupervisedStack();
    const base = stack.gateway.url;
    const before = (await request(`${base}/api/v1/orm/x`)).json() as { pid: number };
    const backoff = nextTransition(stack.supervisor, 'orm', 'backoff');
    const running = nextTransition(stack.supervisor, 'orm', 'running');
    process.kill(before.pid, 'SIGKILL');
    const during = await request(`${base}/api/v1/orm/x`);
    expect([502, 503]).toContain(during.status);
    await backoff;
    expect((await request(`${base}/api/v1/orm/x`)).status).toBe(503);
    await running;
    const after = await request(`${base}/api/v1/orm/x`);
    expect(after.status).toBe(200);
    expect(after.json().pid).not.toBe(before.pid);
  });

  it('returns recent output through /logs and refuses a bad lines value', async () => {
    stack = await startSupervisedStack();
    const base = stack.gateway.url;
    const logs = await request(`${base}/api/v1/services/orm/logs?lines=1000`, { headers: admin });
    expect(logs.status).toBe(200);
    expect(logs.json().lines).toContain('fixture stderr line');
    const bad = await request(`${base}/api/v1/services/orm/logs?lines=5000`, { headers: admin });
    expect(bad.status).toBe(422);
    expect(bad.json()).toEqual({ detail: 'lines must be an integer between 1 and 1000' });
    expect((await request(`${base}/api/v1/services/ghost/status`, { headers: admin })).status).toBe(404);
  });
});
