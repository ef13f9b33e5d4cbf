// The services API around the collectors: health_monitor as a virtual service
// (start/stop pause and resume the monitor, 409s like a process), a collector's
// own report as `collector` in its status, and the original's autostart settings
// (SERVICE_AUTO_START_ENABLED, SERVICES_TO_AUTO_START) applied by startAll.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalResponse, LocalRoute, RequestContext } from '../../../../gateway/pipeline/context.ts';
import { UpstreamRegistry } from '../../../../gateway/registry/upstream-registry.ts';
import { AutoStartSettingsError, autostartFilter, loadAutoStartSettings } from '../../../../gateway/services-api/autostart.ts';
import { createServiceRoutes } from '../../../../gateway/services-api/routes.ts';
import { healthMonitorService } from '../../../../gateway/services-api/virtual-service.ts';
import { createSupervisor, type AppSupervisor } from '../../../../gateway/supervisor/supervisor.ts';
import { gatewayConfig, processConfig, serviceConfig, upstreamConfig } from '../../../fixtures/processes/configs.ts';
import { createFakeSpawner } from '../../../fixtures/processes/fake-spawner.ts';
import { toGatewayError } from '../../../../gateway/pipeline/errors.ts';

function asAnswer(error: unknown): LocalResponse {
  const failure = toGatewayError(error);
  return { status: failure.status, body: { detail: failure.detail }, ...(Object.keys(failure.headers).length > 0 ? { headers: failure.headers } : {}) };
}

let supervisor: AppSupervisor;

afterEach(async () => {
  await supervisor?.stopAll();
});

function fakeMonitor() {
  let running = true;
  return {
    start: () => void (running = true),
    stop: () => void (running = false),
    schedule: () => ({ expression: null, intervalSeconds: 10, running, nextCheck: null, totalChecks: 0 }),
  };
}

async function makeSupervisor(autostart?: (name: string, kind: 'upstream' | 'service') => boolean): Promise<AppSupervisor> {
  const fake = createFakeSpawner();
  fake.onSpawn = (child) => child.print('{"msg":"listening"}');
  supervisor = createSupervisor({
    registry: new UpstreamRegistry(),
    logger: pino({ level: 'silent' }),
    spawner: fake.spawner,
    probe: async () => ({ ok: true, status: 200, latencyMs: 1, error: null, dependencies: {} }),
    ...(autostart ? { autostart } : {}),
  });
  await supervisor.apply(gatewayConfig([upstreamConfig('orm_api')], [serviceConfig('ticker'), serviceConfig('ohlcv'), serviceConfig('account')]));
  return supervisor;
}

function caller(routes: LocalRoute[]) {
  return async (method: string, path: string): Promise<LocalResponse & { body: any }> => {
    for (const route of routes) {
      if (route.method !== method) continue;
      const match = new RegExp(`^${route.path.replace(/:(\w+)/g, '(?<$1>[^/]+)')}$`).exec(path);
      // Thrown catalogue errors answered as the gateway's one writer would.
      if (match) return (await Promise.resolve().then(() => route.handle({ query: '' } as RequestContext, { ...match.groups })).catch(asAnswer)) as LocalResponse & { body: any };
    }
    throw new Error(`no route ${method} ${path}`);
  };
}

describe('health_monitor service', () => {
  it('is listed, and start/stop pause and resume the monitor with 409 on a repeated action', async () => {
    const monitor = fakeMonitor();
    const call = caller(createServiceRoutes(await makeSupervisor(() => false), { virtual: [healthMonitorService(monitor)] }));
    const list = await call('GET', '/api/v1/services');
    expect(Object.keys(list.body.services)).toEqual(['orm_api', 'ticker', 'ohlcv', 'account', 'health_monitor']);
    expect(list.body.services.health_monitor).toMatchObject({ service: 'health_monitor', status: 'running', is_running: true });
    expect(await call('POST', '/api/v1/services/health_monitor/start')).toEqual({ status: 409, body: { detail: 'health_monitor is already running' } });
    expect(await call('POST', '/api/v1/services/health_monitor/stop')).toEqual({ status: 200, body: { service: 'health_monitor', status: 'stopped' } });
    expect(monitor.schedule().running).toBe(false);
    expect((await call('GET', '/api/v1/services/health_monitor/status')).body).toMatchObject({ status: 'stopped', is_running: false, pid: null });
    expect((await call('POST', '/api/v1/services/health_monitor/stop')).status).toBe(409);
    expect(await call('POST', '/api/v1/services/health_monitor/restart')).toEqual({ status: 200, body: { service: 'health_monitor', status: 'restarted' } });
    expect(monitor.schedule().running).toBe(true);
    expect((await call('GET', '/api/v1/services/health_monitor/logs')).body).toEqual({ service: 'health_monitor', entries: [] });
  });

  it('answers 404 for an unknown service and 409 for the start of a running collector', async () => {
    const call = caller(createServiceRoutes(await makeSupervisor(() => false), { virtual: [healthMonitorService(fakeMonitor())] }));
    expect(await call('POST', '/api/v1/services/nope/start')).toEqual({ status: 404, body: { detail: "Service 'nope' not found" } });
    expect(await call('GET', '/api/v1/services/nope/status')).toEqual({ status: 404, body: { detail: "Service 'nope' not found" } });
    expect(await call('POST', '/api/v1/services/ticker/start')).toEqual({ status: 200, body: { service: 'ticker', status: 'started' } });
    const again = await call('POST', '/api/v1/services/ticker/start');
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/already running/);
  });

  it("adds a running collector's own report as `collector`, and nothing when it cannot be asked", async () => {
    const sup = await makeSupervisor(() => false);
    await sup.start('ticker');
    const report = { state: 'degraded', following: 2, targets: { kraken: { state: 'backoff' } } };
    const withDetail = caller(createServiceRoutes(sup, { detail: async (name) => (name === 'ticker' ? report : null) }));
    expect((await withDetail('GET', '/api/v1/services/ticker/status')).body).toMatchObject({ service: 'ticker', status: 'running', is_running: true, collector: report });
    const failing = caller(createServiceRoutes(sup, { detail: async () => { throw new Error('down'); } }));
    const body = (await failing('GET', '/api/v1/services/ticker/status')).body;
    expect(body).toMatchObject({ service: 'ticker', status: 'running' });
    expect(body).not.toHaveProperty('collector');
  });
});

describe('autostart settings', () => {
  it('defaults to the original: enabled, ticker,ohlcv,account', () => {
    expect(loadAutoStartSettings({})).toEqual({ enabled: true, services: ['ticker', 'ohlcv', 'account'] });
    expect(loadAutoStartSettings({ SERVICE_AUTO_START_ENABLED: 'false', SERVICES_TO_AUTO_START: ' ticker , ohlcv ' })).toEqual({ enabled: false, services: ['ticker', 'ohlcv'] });
    expect(() => loadAutoStartSettings({ SERVICE_AUTO_START_ENABLED: 'maybe' })).toThrow(AutoStartSettingsError);
  });

  it('startAll starts the upstreams and only the listed services, and none when disabled', async () => {
    const sup = await makeSupervisor(autostartFilter({ enabled: true, services: ['ticker'] }));
    await sup.startAll();
    expect(['orm_api', 'ticker', 'ohlcv', 'account'].map((name) => sup.status(name)!.status)).toEqual(['running', 'running', 'stopped', 'stopped']);
    await sup.stopAll();
    const off = await makeSupervisor(autostartFilter({ enabled: false, services: ['ticker', 'ohlcv', 'account'] }));
    await off.startAll();
    expect(['orm_api', 'ticker', 'ohlcv', 'account'].map((name) => off.status(name)!.status)).toEqual(['running', 'stopped', 'stopped', 'stopped']);
  });
});
