// The services API, the health endpoints and the supervisor's registry marks as a
// client sees them through the real gateway pipeline and proxy.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openEventStream } from '../../../../examples/lib/event-stream.ts';
import { nextTransition, waitForState } from '../../../fixtures/processes/wait.ts';
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
    expect(logs.json().entries).toContainEqual(expect.objectContaining({ msg: 'fixture stderr line', stream: 'stderr', level: 'warn', generation: 1, pid: expect.any(Number) }));
    const bad = await request(`${base}/api/v1/services/orm/logs?lines=5000`, { headers: admin });
    expect(bad.status).toBe(422);
    expect(bad.json()).toEqual({ detail: 'lines must be an integer between 1 and 1000' });
    expect((await request(`${base}/api/v1/services/ghost/status`, { headers: admin })).status).toBe(404);
  });

  it('serialises concurrent control requests: every answer 200 or a 409 with a reason, state consistent with the last', async () => {
    stack = await startSupervisedStack();
    const base = stack.gateway.url;
    const actions = ['restart', 'stop', 'start', 'start', 'stop', 'restart'];
    const answers = await Promise.all(actions.map((action) => request(`${base}/api/v1/services/orm/${action}`, { method: 'POST', headers: admin })));
    // Arrival order decides who wins (a stop may cancel a restart still waiting for
    // health, a start may find it running): each answer is a success or a 409 that says why.
    for (const answer of answers) {
      expect([200, 409]).toContain(answer.status);
      if (answer.status === 409) expect(answer.json().detail).toMatch(/already running|already starting|not running|cancelled/);
    }
    expect(answers.at(-1)!.status).toBe(200);
    const status = (await request(`${base}/api/v1/services/orm/status`, { headers: admin })).json();
    expect(status).toMatchObject({ status: 'running', is_running: true });
    expect((await request(`${base}/api/v1/orm/x`)).json().pid).toBe(status.pid);
  });

  it('shows why a broken daemon failed: failed status, its last output in /logs, 503 on start', async () => {
    // A shell one-liner rather than a node fixture: it exits within the settle window
    // even on a loaded machine, where starting node alone can take seconds.
    const script = JSON.stringify('echo booting fixture; echo fatal: cannot open config >&2; exit 3');
    stack = await startSupervisedStack({
      services: `  broken:\n    process:\n      command: [sh, -c, ${script}]\n      restart: { policy: always, backoff_initial: 20ms, start_limit_burst: 2 }\n`,
    });
    await waitForState(stack.supervisor, 'broken', 'failed');
    const base = stack.gateway.url;
    const status = (await request(`${base}/api/v1/services/broken/status`, { headers: admin })).json();
    expect(status).toMatchObject({ status: 'failed', is_running: false, last_exit: { code: 3 } });
    const logs = (await request(`${base}/api/v1/services/broken/logs?lines=2`, { headers: admin })).json();
    // stdout and stderr are separate pipes: their relative order is not guaranteed.
    expect(logs.service).toBe('broken');
    expect(logs.entries.map((entry: { msg: string }) => entry.msg).sort()).toEqual(['booting fixture', 'fatal: cannot open config']);
    const start = await request(`${base}/api/v1/services/broken/start`, { method: 'POST', headers: admin });
    expect(start.status).toBe(503);
    expect(start.json().detail).toMatch(/broken failed to start: exited with code 3 during start/);
  });

  it('streams a service’s logs in a single process too: the backlog, a kill -9 replacement’s lines, HEAD without a stream, an `end` at shutdown', async () => {
    stack = await startSupervisedStack();
    const base = stack.gateway.url;
    const stream = await openEventStream('/api/v1/services/orm/logs/stream?lines=1000', { baseUrl: base, headers: admin });
    expect(stream.status).toBe(200);
    await stream.next((message) => JSON.parse(message.data).msg === 'listening');
    const { pid } = (await request(`${base}/api/v1/orm/x`)).json() as { pid: number };
    const running = nextTransition(stack.supervisor, 'orm', 'running');
    process.kill(pid, 'SIGKILL');
    await running;
    const fresh = await stream.next((message) => JSON.parse(message.data).msg === 'listening' && JSON.parse(message.data).generation === 2);
    expect(JSON.parse(fresh.data).pid).not.toBe(pid);
    expect(stack.logStream.open()).toBe(1);

    const head = await request(`${base}/api/v1/services/orm/logs/stream`, { method: 'HEAD', headers: admin });
    expect([head.status, head.headers['content-type'], head.text.length]).toEqual([200, 'text/event-stream; charset=utf-8', 0]);
    expect(stack.logStream.open()).toBe(1);

    const closing = stack.close();
    stack = null;
    const end = await stream.next((message) => message.event === 'end');
    expect(JSON.parse(end.data)).toEqual({ reason: 'the gateway is shutting down' });
    await stream.ended;
    await closing;
  });

  it('ends a log stream when the credentials it was opened with are revoked or expire', async () => {
    stack = await startSupervisedStack();
    const base = stack.gateway.url;
    const revoked = await openEventStream('/api/v1/services/orm/logs/stream', { baseUrl: base, headers: admin });
    expect(revoked.status).toBe(200);
    await revoked.next((message) => message.event !== 'end');
    // Another user's revocation leaves it open; its opener's ends it.
    stack.gateway.gateway.revoke([{ kind: 'user', id: 7 }]);
    stack.gateway.gateway.revoke([{ kind: 'user', id: 1 }]);
    const end = await revoked.next((message) => message.event === 'end');
    expect(JSON.parse(end.data)).toEqual({ reason: 'credentials revoked' });
    await revoked.ended;

    const expiring = await openEventStream('/api/v1/services/orm/logs/stream', { baseUrl: base, headers: { authorization: `Bearer admin-until-${Math.floor(Date.now() / 1000) + 2}` } });
    expect(expiring.status).toBe(200);
    const expired = await expiring.next((message) => message.event === 'end');
    expect(JSON.parse(expired.data)).toEqual({ reason: 'credentials expired' });
    await expiring.ended;
    await vi.waitFor(() => expect(stack!.logStream.open()).toBe(0));
  });
});
