// What must exist once across the workers (WORKERS=2, real processes): service
// control acts once in the primary, revocations reach every worker's caches,
// login failures are counted once for the whole gateway, and a kill -9 of the
// primary leaves no worker and no supervised child behind.
import { spawnSync } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixturePath } from '../../fixtures/processes/configs.ts';
import { isAlive } from '../../fixtures/processes/wait.ts';
import { startStubUpstream, type StubUpstream } from '../gateway/proxy/harness.ts';
import { eventually, logged, request, startWorkersGateway, stopAll } from './harness.ts';

const ADMIN = { uid: 1, mail: 'admin@workers.test', name: 'Admin', role: 'admin', active: true };
const KEYS: Record<string, { id: number; valid: boolean }> = {};
const ADMIN_KEY = 'fullon_ak_admin-key-0001';
const K7 = 'fullon_ak_key-number-0007';
const K8 = 'fullon_ak_key-number-0008';
let orm: StubUpstream;
let events: ServerResponse[];
let keyLookups: number;

beforeEach(async () => {
  events = [];
  keyLookups = 0;
  for (const key of Object.keys(KEYS)) delete KEYS[key];
  // The orm as the gateway's auth sees it: API keys, a password check that always fails, the revocation stream.
  orm = await startStubUpstream({
    '/internal/auth/verify-api-key': (req, res) =>
      readJson(req).then((body) => {
        keyLookups++;
        const key = KEYS[String(body.api_key)];
        if (!key?.valid) return json(res, 401, { detail: 'Invalid API key' });
        json(res, 200, { user: ADMIN, scopes: [], api_key_id: key.id, expires_at: null });
      }),
    '/internal/auth/verify-credentials': (_req, res) => json(res, 401, { detail: 'Invalid credentials' }),
    '/internal/auth/events': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': open\n\n');
      events.push(res);
    },
    '/revoke': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-auth-invalidate': 'api_key=7' });
      res.end('{}');
    },
  });
});
afterEach(async () => {
  await stopAll();
  for (const res of events) res.destroy();
  await orm.close();
});

const routes = () => `upstreams:
  orm_api: { url: ${orm.url} }
services:
  ticker:
    process:
      command: [node, ${JSON.stringify(fixturePath('idle-daemon.ts'))}]
routes:
  - { prefix: /api/orm, upstream: orm_api, rewrite: "", auth: public }
  - { prefix: /api/secure, upstream: orm_api, rewrite: "", auth: admin }
`;
const ENV = { API_KEY_CACHE_TTL_MS: '5000', LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_REFUSAL_DELAY_MS: '0', SERVICE_AUTO_START_ENABLED: 'true' };

describe('state a gateway with two workers keeps once', () => {
  it('restarts a service once per services-API call, whichever worker takes the call', async () => {
    KEYS[ADMIN_KEY] = { id: 1, valid: true };
    const gateway = await startWorkersGateway(routes(), ENV);
    const asAdmin = { 'x-api-key': ADMIN_KEY };
    await eventually(async () => (await gateway.get('/api/v1/services/ticker/status', asAdmin)).json().status === 'running', 20_000);
    const pids = new Set<number>();
    for (let i = 0; i < 3; i++) {
      const answer = await gateway.get('/api/v1/services/ticker/restart', asAdmin).then(() => request(`${gateway.url}/api/v1/services/ticker/restart`, { method: 'POST', headers: asAdmin }));
      expect([answer.status, answer.json()]).toEqual([200, { service: 'ticker', status: 'restarted' }]);
      pids.add((await gateway.get('/api/v1/services/ticker/status', asAdmin)).json().pid);
    }
    const status = (await gateway.get('/api/v1/services/ticker/status', asAdmin)).json();
    expect(status.restarts).toBe(3);
    expect(pids.size).toBe(3);
    // The calls came through both workers; the restarts happened in the primary.
    await eventually(() => gateway.servedBy('/api/v1/services/ticker/restart').length === 2);
    // A catalogue error from the primary reaches the client as it is.
    const missing = await gateway.get('/api/v1/services/nope/status', asAdmin);
    expect([missing.status, missing.json()]).toEqual([404, { detail: "Service 'nope' not found" }]);
  }, 90_000);

  it('carries a revocation from one worker’s proxied answer to the other worker’s cache', async () => {
    KEYS[K7] = { id: 7, valid: true };
    const gateway = await startWorkersGateway(routes(), ENV);
    const asKey = { 'x-api-key': K7 };
    const warm: number[] = [];
    for (let i = 0; i < 6; i++) warm.push((await gateway.get('/api/secure/echo', asKey)).status);
    expect(warm).toEqual(Array(6).fill(200));
    await eventually(() => gateway.servedBy('/api/secure/echo').length === 2);
    // The orm deactivates the key and says so on its answer, which one worker relays.
    KEYS[K7]!.valid = false;
    expect((await gateway.get('/api/orm/revoke')).status).toBe(200);
    // The access line may be read a moment after the answer arrived.
    await eventually(() => gateway.servedBy('/api/orm/revoke').length === 1);
    const [relay] = gateway.servedBy('/api/orm/revoke');
    const other = gateway.workerPids().find((pid) => pid !== relay)!;
    await logged(gateway, (line) => line.pid === other && line.msg === 'cached credentials revoked' && line.revoked === 'api_key=7');
    const after: number[] = [];
    for (let i = 0; i < 6; i++) after.push((await gateway.get('/api/secure/after', asKey)).status);
    expect(after).toEqual(Array(6).fill(401));
    await eventually(() => gateway.servedBy('/api/secure/after').length === 2);
  }, 60_000);

  it('carries a revocation from the orm’s stream to every worker', async () => {
    KEYS[K8] = { id: 8, valid: true };
    const gateway = await startWorkersGateway(routes(), ENV);
    const asKey = { 'x-api-key': K8 };
    const warm = await Promise.all([0, 1, 2, 3].map(() => gateway.get('/api/secure/warm', asKey)));
    expect(warm.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    await eventually(() => events.length > 0, 20_000);
    KEYS[K8]!.valid = false;
    for (const res of events) res.write('data: api_key=8\n\n');
    for (const pid of gateway.workerPids()) await logged(gateway, (line) => line.pid === pid && line.msg === 'cached credentials revoked' && line.revoked === 'api_key=8');
    const after = await Promise.all([0, 1, 2, 3].map(() => gateway.get('/api/secure/stream-after', asKey)));
    expect(after.map((answer) => answer.status)).toEqual([401, 401, 401, 401]);
  }, 60_000);

  it('counts failed logins once for the whole gateway, whichever worker takes them', async () => {
    const gateway = await startWorkersGateway(routes(), ENV);
    const login = () => request(`${gateway.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=victim%40workers.test&password=wrong' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login()).status);
    // Three failures allowed for the account in all, not three per worker.
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    await eventually(() => gateway.servedBy('/api/v1/auth/login').length === 2);
  }, 60_000);

  it('leaves no worker and no supervised child behind when the primary is killed with SIGKILL', async () => {
    KEYS[ADMIN_KEY] = { id: 1, valid: true };
    const gateway = await startWorkersGateway(routes(), ENV);
    const asAdmin = { 'x-api-key': ADMIN_KEY };
    await eventually(async () => (await gateway.get('/api/v1/services/ticker/status', asAdmin)).json().status === 'running', 20_000);
    const ticker: number = (await gateway.get('/api/v1/services/ticker/status', asAdmin)).json().pid;
    const workers = gateway.workerPids();
    expect(workers).toHaveLength(2);
    for (const pid of [ticker, ...workers]) expect(isAlive(pid)).toBe(true);
    process.kill(gateway.primaryPid, 'SIGKILL');
    // Within 5 s (the bound): workers see the channel close, children get pdeathsig.
    await eventually(() => [ticker, ...workers].every((pid) => !isAlive(pid)), 5_000);
  }, 60_000);
});

describe('WORKERS at start', () => {
  it.each(['0', '-1', 'two', '65', '1.5'])('refuses WORKERS=%s with one line and exit 1', (value) => {
    const result = spawnSync(process.execPath, ['gateway/main.ts'], { env: { ...process.env, WORKERS: value, PORT: '0' }, encoding: 'utf8' });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).msg).toBe(`WORKERS must be a whole number from 1 to 64 (got "${value}")`);
  });
});

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
}
