// The admin services API LocalRoutes: DESIGN.md bodies, 404/409 with reasons,
// and validation of ?lines.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalResponse, LocalRoute, RequestContext } from '../../../../gateway/pipeline/context.ts';
import { createServiceRoutes, parseLines } from '../../../../gateway/services-api/routes.ts';
import { createSupervisor, type AppSupervisor } from '../../../../gateway/supervisor/supervisor.ts';
import { UpstreamRegistry } from '../../../../gateway/registry/upstream-registry.ts';
import { gatewayConfig, processConfig, serviceConfig, upstreamConfig } from '../../../fixtures/processes/configs.ts';
import { createFakeSpawner } from '../../../fixtures/processes/fake-spawner.ts';
import { toGatewayError } from '../../../../gateway/pipeline/errors.ts';

function asAnswer(error: unknown): LocalResponse {
  const failure = toGatewayError(error);
  return { status: failure.status, body: { detail: failure.detail }, ...(Object.keys(failure.headers).length > 0 ? { headers: failure.headers } : {}) };
}

let supervisor: AppSupervisor;
let routes: LocalRoute[];

afterEach(async () => {
  await supervisor.stopAll();
});

async function setup(): Promise<void> {
  const fake = createFakeSpawner();
  fake.onSpawn = (child) => {
    child.print('{"msg":"listening"}');
    child.print('second line');
  };
  supervisor = createSupervisor({ registry: new UpstreamRegistry(), logger: pino({ level: 'silent' }), spawner: fake.spawner, probe: async () => ({ ok: true, status: 200, latencyMs: 1, error: null, dependencies: {} }) });
  await supervisor.apply(
    gatewayConfig(
      [upstreamConfig('orm', { process: processConfig({ autostart: false }) }), upstreamConfig('ext', { url: 'http://127.0.0.1:9', process: null })],
      [serviceConfig('ticker', { process: processConfig({ autostart: false }) })],
    ),
  );
  routes = createServiceRoutes(supervisor);
}

async function call(method: string, path: string, query = ''): Promise<LocalResponse> {
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = new RegExp(`^${route.path.replace(/:(\w+)/g, '(?<$1>[^/]+)')}$`);
    const match = pattern.exec(path);
    if (!match) continue;
    expect(route.auth).toBe('admin');
    // Thrown catalogue errors answered as the gateway's one writer would.
    return await Promise.resolve().then(() => route.handle({ query } as RequestContext, { ...match.groups })).catch(asAnswer);
  }
  throw new Error(`no route ${method} ${path}`);
}

describe('services API', () => {
  it('walks status stopped → start → running → restart → stop → stopped with DESIGN.md bodies', async () => {
    await setup();
    expect(await call('GET', '/api/v1/services/orm/status')).toMatchObject({ status: 200, body: { service: 'orm', status: 'stopped', is_running: false, pid: null, managed: true } });
    expect(await call('POST', '/api/v1/services/orm/start')).toEqual({ status: 200, body: { service: 'orm', status: 'started' } });
    expect(await call('GET', '/api/v1/services/orm/status')).toMatchObject({ body: { status: 'running', is_running: true, healthy: true, pid: expect.any(Number) } });
    expect(await call('POST', '/api/v1/services/orm/restart')).toEqual({ status: 200, body: { service: 'orm', status: 'restarted' } });
    expect(await call('POST', '/api/v1/services/orm/stop')).toEqual({ status: 200, body: { service: 'orm', status: 'stopped' } });
    expect(await call('GET', '/api/v1/services/orm/status')).toMatchObject({ body: { status: 'stopped', restarts: 1 } });
  });

  it('lists every service with its status', async () => {
    await setup();
    const body = (await call('GET', '/api/v1/services')).body as { services: Record<string, { status: string; managed: boolean }> };
    expect(Object.keys(body.services).sort()).toEqual(['ext', 'orm', 'ticker']);
    expect(body.services.ext?.managed).toBe(false);
  });

  it.each([
    ['POST', '/api/v1/services/orm/stop', 409, /orm is not running \(it is stopped\)/],
    ['POST', '/api/v1/services/ext/start', 409, /externally managed/],
    ['POST', '/api/v1/services/ext/stop', 409, /externally managed/],
    ['POST', '/api/v1/services/nope/start', 404, /Service 'nope' not found/],
    ['POST', '/api/v1/services/nope/restart', 404, /Service 'nope' not found/],
    ['GET', '/api/v1/services/nope/status', 404, /Service 'nope' not found/],
    ['GET', '/api/v1/services/nope/logs', 404, /Service 'nope' not found/],
  ])('%s %s → %i with the reason', async (method, path, status, detail) => {
    await setup();
    const response = await call(method, path);
    expect(response.status).toBe(status);
    expect((response.body as { detail: string }).detail).toMatch(detail);
  });

  it('answers 409 for a second start of a running service', async () => {
    await setup();
    await call('POST', '/api/v1/services/ticker/start');
    const second = await call('POST', '/api/v1/services/ticker/start');
    expect(second).toEqual({ status: 409, body: { detail: 'ticker is already running' } });
  });

  it('returns the last N output lines', async () => {
    await setup();
    await call('POST', '/api/v1/services/orm/start');
    expect(await call('GET', '/api/v1/services/orm/logs', 'lines=1')).toMatchObject({ status: 200, body: { service: 'orm', entries: [{ msg: 'second line', generation: 1, stream: 'stdout', level: 'info', fields: {} }] } });
    expect(((await call('GET', '/api/v1/services/orm/logs')).body as { entries: unknown[] }).entries).toHaveLength(2);
  });

  it.each(['0', '1001', '-1', 'abc', '1.5', '', '99999999999'])('refuses lines=%s with 422 {"detail"}', async (lines) => {
    await setup();
    const response = await call('GET', '/api/v1/services/orm/logs', `lines=${encodeURIComponent(lines)}`);
    expect(response).toEqual({ status: 422, body: { detail: 'lines must be an integer between 1 and 1000' } });
  });

  it.each([
    [null, 100],
    ['1', 1],
    ['1000', 1_000],
  ])('parseLines(%s) = %i', (raw, expected) => {
    expect(parseLines(raw)).toBe(expected);
  });
});
