// The /health* LocalRoutes over a fake-spawner supervisor and a scripted probe:
// DESIGN.md shapes, 503 reasons for load balancers, no pids or secrets.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createHealthMonitor, type HealthMonitor } from '../../../../gateway/health/monitor.ts';
import type { ProbeResult } from '../../../../gateway/probe/health-probe.ts';
import { createHealthRoutes } from '../../../../gateway/health/routes.ts';
import { GatewayLifecycle } from '../../../../gateway/http/lifecycle.ts';
import type { LocalResponse, LocalRoute, RequestContext } from '../../../../gateway/pipeline/context.ts';
import { createSupervisor, type AppSupervisor } from '../../../../gateway/supervisor/supervisor.ts';
import { UpstreamRegistry } from '../../../../gateway/registry/upstream-registry.ts';
import { gatewayConfig, healthConfig, upstreamConfig } from '../../../fixtures/processes/configs.ts';
import { createFakeSpawner } from '../../../fixtures/processes/fake-spawner.ts';

let supervisor: AppSupervisor;
let monitor: HealthMonitor;
let lifecycle: GatewayLifecycle;
let routes: LocalRoute[];
let answer: ProbeResult;

afterEach(async () => {
  monitor.stop();
  await supervisor.stopAll();
});

let extra: Record<string, string> = {};

async function setup(): Promise<void> {
  extra = {};
  const registry = new UpstreamRegistry();
  const fake = createFakeSpawner();
  fake.onSpawn = (child) => child.print('{"msg":"listening"}');
  answer = { ok: true, status: 200, latencyMs: 1, error: null, dependencies: {} };
  supervisor = createSupervisor({ registry, logger: pino({ level: 'silent' }), spawner: fake.spawner, probe: async () => answer, env: { JWT_SECRET_KEY: 'super-secret-value-that-must-not-leak' } });
  lifecycle = new GatewayLifecycle();
  monitor = createHealthMonitor({ supervisor, registry, lifecycle, logger: pino({ level: 'silent' }), probe: async () => answer, settings: { checkIntervalSeconds: 10, autoRestartEnabled: true, autoRestartMaxPerHour: 5, autoRestartCooldownSeconds: 300, historySize: 100 } });
  const config = gatewayConfig([
    upstreamConfig('orm', { health: healthConfig({ unhealthyThreshold: 1 }) }),
    upstreamConfig('extra', { health: healthConfig({ critical: false }), process: null, url: 'http://127.0.0.1:9' }),
  ]);
  await supervisor.apply(config);
  monitor.apply(config);
  await supervisor.startAll();
  routes = createHealthRoutes({ monitor, supervisor, registry, lifecycle, version: '9.9.9', extraChecks: () => extra });
}

async function call(method: string, path: string): Promise<LocalResponse> {
  const route = routes.find((r) => r.method === method && r.path === path);
  if (!route) throw new Error(`no route ${method} ${path}`);
  expect(route.auth).toBe('public');
  return route.handle({ query: '' } as RequestContext, {});
}

describe('health routes', () => {
  it('GET /health/check answers 200 {"status":"ok"} while every critical upstream is healthy', async () => {
    await setup();
    expect(await call('GET', '/health/check')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('GET /health/check turns 503 naming a stopped critical upstream, and back after start', async () => {
    await setup();
    await supervisor.stop('orm');
    const down = await call('GET', '/health/check');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unavailable', failing: { orm: expect.stringMatching(/orm is stopped/) } });
    expect((down.body as { detail: string }).detail).toMatch(/^orm: /);
    await supervisor.start('orm');
    expect((await call('GET', '/health/check')).status).toBe(200);
  });

  it('GET /health/check is 503 while a worker process is not serving, and GET /health says degraded with why', async () => {
    await setup();
    extra = { workers: 'worker 2 is not answering heartbeats' };
    const check = await call('GET', '/health/check');
    expect(check.status).toBe(503);
    expect(check.body).toMatchObject({ failing: { workers: 'worker 2 is not answering heartbeats' } });
    expect((await call('GET', '/health')).body).toMatchObject({ status: 'degraded', issues: ['workers: worker 2 is not answering heartbeats'] });
    extra = {};
    expect((await call('GET', '/health/check')).status).toBe(200);
    expect((await call('GET', '/health')).body).toMatchObject({ status: 'healthy', issues: [] });
  });

  it.each([
    ['draining', (l: GatewayLifecycle) => l.beginDrain(), 'gateway'],
    ['config invalid', (l: GatewayLifecycle) => (l.configValid = false), 'config'],
  ])('GET /health/check is 503 when %s', async (_case, mutate, key) => {
    await setup();
    mutate(lifecycle);
    const response = await call('GET', '/health/check');
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ failing: { [key]: expect.any(String) } });
  });

  it('GET /health/check is 503 when a critical upstream fails its checks, but not for a non-critical one', async () => {
    await setup();
    answer = { ok: false, status: null, latencyMs: 500, error: 'timeout after 500 ms', dependencies: {} };
    await monitor.runCycle();
    const response = await call('GET', '/health/check');
    expect(response.status).toBe(503);
    expect(Object.keys((response.body as { failing: object }).failing)).toEqual(['orm']);
  });

  it('POST /health/check runs a cycle and returns its result', async () => {
    await setup();
    const response = await call('POST', '/health/check');
    expect(response).toMatchObject({ status: 200, body: { status: 'completed', result: { checks_performed: ['orm', 'extra'], issues_found: [], recovery_actions: [], overall_status: 'healthy' } } });
    expect(Date.parse((response.body as { result: { timestamp: string } }).result.timestamp)).not.toBeNaN();
  });

  it('GET /health has the DESIGN.md fields and no pids, commands or secrets', async () => {
    await setup();
    await monitor.runCycle();
    const response = await call('GET', '/health');
    expect(response.body).toMatchObject({ status: 'healthy', version: '9.9.9', service: 'fullon_master_api', uptime_s: expect.any(Number), services: { orm: { status: 'running', healthy: true } }, monitoring: { enabled: true }, issues: [] });
    const text = JSON.stringify(response.body);
    const pid = supervisor.status('orm')!.pid!;
    expect(text).not.toContain(String(pid));
    expect(text).not.toContain('http-service.ts');
    expect(text).not.toContain('super-secret');
    expect(text).not.toMatch(/"pid"|command|127\.0\.0\.1/);
  });

  it('GET /health/services lists status, is_running and healthy per service', async () => {
    await setup();
    expect((await call('GET', '/health/services')).body).toEqual({
      services: { orm: { status: 'running', is_running: true, healthy: true }, extra: { status: 'running', is_running: true, healthy: true } },
    });
  });

  it('GET /health/monitor shows schedule, counters, restart counts and reload stats', async () => {
    await setup();
    lifecycle.recordReload('/tmp/secret/path/routes.yaml:3:1: routes[0].body_limit: got "hunter2"', ['routes.yaml:3:1: routes[0].body_limit']);
    await monitor.runCycle();
    const body = (await call('GET', '/health/monitor')).body as Record<string, unknown>;
    expect(body).toMatchObject({
      services: { orm: { healthy: true, consecutive_failures: 0 } },
      restart_counts: { orm: { restarts: 0, auto_restarts_last_hour: 0 } },
      recovery_actions: [],
      reload: { count: 0, failures: 1, last_error: 'routes file refused (routes.yaml:3:1: routes[0].body_limit); full problems in the gateway log' },
      last_result: { overall_status: 'healthy' },
    });
    expect(JSON.stringify(body)).not.toContain('/tmp/secret');
    expect(JSON.stringify(body)).not.toContain('hunter2');
  });

  it('GET /health/live always answers 200', async () => {
    await setup();
    lifecycle.beginDrain();
    expect(await call('GET', '/health/live')).toMatchObject({ status: 200, body: { status: 'alive' } });
  });
});
