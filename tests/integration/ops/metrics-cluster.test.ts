// Metrics across real processes: a gateway (gateway/main.ts) with two workers in
// front of an orm started on its own. Requests spread over both workers; the
// primary aggregates their registries, so GET /metrics counts each request once
// and a fact both workers know (the orm is up) once. GET /metrics/orm_api brings
// the orm's own metrics; METRICS_PORT serves both on loopback without
// credentials; with METRICS_ENABLED=false there is no /metrics at all.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess, type StartedProcess } from '../../helpers/processes.ts';
import { makeSharedSecrets, startExternalOrm, startGatewayProcess, tokenOf, type GatewayProcess } from './stack.ts';

const secrets = makeSharedSecrets();
const REQUESTS = 20;
let orm: StartedProcess;
let gateway: GatewayProcess;
let quiet: GatewayProcess;
let token = '';
let metricsPort = 0;

beforeAll(async () => {
  orm = await startExternalOrm(secrets, 'ops_metrics_orm');
  const routes = `
upstreams:
  orm_api:
    url: ${orm.url}
    health: { path: /health, critical: true }
routes:
  - { prefix: /api/v1/orm, upstream: orm_api, rewrite: "", auth: user }
`;
  [gateway, quiet] = await Promise.all([
    startGatewayProcess(secrets, routes, { WORKERS: '2', METRICS_PORT: '0', ACCESS_LOG: 'true' }),
    startGatewayProcess(secrets, routes, { WORKERS: '1', METRICS_ENABLED: 'false', METRICS_PORT: '0' }),
  ]);
  token = await tokenOf(gateway.url, secrets.adminMail, secrets.adminPassword);
  metricsPort = await logged(gateway, (line) => (typeof line.msg === 'string' && line.msg.startsWith('metrics on ') ? (line.port as number) : undefined));
}, 120_000);
afterAll(async () => {
  await gateway?.remove();
  await quiet?.remove();
  await orm?.stop();
});

/** Waits for a log line of the process that `pick` finds something in (no fixed sleep). */
async function logged<T>(process: StartedProcess, pick: (line: Record<string, unknown>) => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const text of process.output) {
      try {
        const found = pick(JSON.parse(text) as Record<string, unknown>);
        if (found !== undefined) return found;
      } catch {
        /* not JSON */
      }
    }
    if (Date.now() > deadline) throw new Error(`no such log line:\n${process.output.slice(-20).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A GET on a connection of its own, so the primary hands each to a worker in turn. */
function getOnNewConnection(url: string, headers: Record<string, string>): Promise<{ status: number; requestId: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, requestId: String(res.headers['x-request-id']) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const sample = (text: string, series: string) => {
  const line = text.split('\n').find((entry) => entry.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('metrics with two workers (real processes)', () => {
  it('counts every request once across the workers, and a shared fact once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const answer = await getOnNewConnection(`${gateway.url}/api/v1/orm/users/me`, { authorization: `Bearer ${token}` });
      expect(answer.status).toBe(200);
      ids.push(answer.requestId);
    }
    // Both workers served some of them (the access lines name the worker).
    const workers = new Set<unknown>();
    for (const id of ids) workers.add(await logged(gateway, (line) => (line.request_id === id ? line.worker : undefined)));
    expect(workers).toEqual(new Set([1, 2]));

    const response = await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(sample(text, 'gateway_requests_total{prefix="/api/v1/orm",upstream="orm_api",status_class="2xx"}')).toBe(REQUESTS);
    expect(sample(text, 'gateway_request_duration_seconds_count{prefix="/api/v1/orm",upstream="orm_api",status_class="2xx"}')).toBe(REQUESTS);
    expect(sample(text, 'gateway_upstream_up{upstream="orm_api"}')).toBe(1);
  });

  it("serves the orm's own metrics at /metrics/orm_api, to an admin or an API key with metrics:read", async () => {
    const created = await fetch(`${gateway.url}/api/v1/orm/api_keys/me`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'prometheus', scopes: ['metrics:read'] }),
    });
    expect(created.status).toBe(200);
    const { key } = (await created.json()) as { key: string };
    for (const headers of [{ authorization: `Bearer ${token}` }, { 'x-api-key': key }]) {
      const response = await fetch(`${gateway.url}/metrics/orm_api`, { headers });
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/db_pool_connections\{kind="postgres",state="total",service="orm_api"\} \d+/);
    }
    const unknown = await fetch(`${gateway.url}/metrics/no_such_service`, { headers: { authorization: `Bearer ${token}` } });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ detail: "Service 'no_such_service' not found" });
    expect((await fetch(`${gateway.url}/metrics/orm_api`)).status).toBe(401);
  });

  it('serves the same on METRICS_PORT, loopback only, without credentials', async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(sample(text, 'gateway_upstream_up{upstream="orm_api"}')).toBe(1);
    expect(sample(text, 'gateway_requests_total{prefix="/api/v1/orm",upstream="orm_api",status_class="2xx"}')).toBeGreaterThanOrEqual(REQUESTS);
    const own = await fetch(`http://127.0.0.1:${metricsPort}/metrics/orm_api`);
    expect(own.status).toBe(200);
    expect(await own.text()).toContain('service="orm_api"');
  });

  it('has no /metrics and no metrics listener when METRICS_ENABLED=false', async () => {
    const adminOfQuiet = await tokenOf(quiet.url, secrets.adminMail, secrets.adminPassword);
    const response = await fetch(`${quiet.url}/metrics`, { headers: { authorization: `Bearer ${adminOfQuiet}` } });
    expect(response.status).toBe(404);
    expect((await fetch(`${quiet.url}/api/v1/orm/users/me`, { headers: { authorization: `Bearer ${adminOfQuiet}` } })).status).toBe(200);
    expect(quiet.output.some((line) => line.includes('metrics on http'))).toBe(false);
  });
});
