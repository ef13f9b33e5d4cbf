// Health monitor behaviour over a fake-spawner supervisor and a scripted probe:
// thresholds, passive marking, dependency reports, auto-restart guard rails,
// single-flight cycles.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createHealthMonitor, type HealthMonitor } from '../../../../gateway/health/monitor.ts';
import type { ProbeResult } from '../../../../gateway/probe/health-probe.ts';
import type { HealthSettings } from '../../../../gateway/health/settings.ts';
import { GatewayLifecycle } from '../../../../gateway/http/lifecycle.ts';
import { createSupervisor, type AppSupervisor } from '../../../../gateway/supervisor/supervisor.ts';
import { UpstreamRegistry } from '../../../../gateway/registry/upstream-registry.ts';
import { gatewayConfig, healthConfig, upstreamConfig } from '../../../fixtures/processes/configs.ts';
import { createFakeSpawner } from '../../../fixtures/processes/fake-spawner.ts';

const OK: ProbeResult = { ok: true, status: 200, latencyMs: 2, error: null, dependencies: { database: { ok: true, latency_ms: 1 } } };
const TIMEOUT: ProbeResult = { ok: false, status: null, latencyMs: 500, error: 'timeout after 500 ms', dependencies: {} };
const DB_DOWN: ProbeResult = { ok: false, status: 503, latencyMs: 3, error: 'HTTP 503', dependencies: { database: { ok: false, latency_ms: null, error: 'connection refused' } } };

interface Harness {
  supervisor: AppSupervisor;
  registry: UpstreamRegistry;
  monitor: HealthMonitor;
  lifecycle: GatewayLifecycle;
  /** What the next monitor probe of each upstream answers. */
  answers: Map<string, ProbeResult>;
  probes: string[];
}

let harness: Harness | null = null;

afterEach(async () => {
  harness?.monitor.stop();
  await harness?.supervisor.stopAll();
  harness = null;
});

async function setup(upstreams = [upstreamConfig('orm')], settings: Partial<HealthSettings> = {}, now: () => number = Date.now): Promise<Harness> {
  const registry = new UpstreamRegistry();
  const answers = new Map<string, ProbeResult>();
  const probes: string[] = [];
  let port = 40_000;
  const fake = createFakeSpawner();
  fake.onSpawn = (child) => child.print('{"msg":"listening"}');
  const supervisor = createSupervisor({
    registry,
    logger: pino({ level: 'silent' }),
    spawner: fake.spawner,
    probe: async () => OK, // readiness while starting
    pickPort: async () => port++,
  });
  const lifecycle = new GatewayLifecycle();
  const byPort = new Map<string, string>();
  const monitor = createHealthMonitor({
    supervisor,
    registry,
    lifecycle,
    logger: pino({ level: 'silent' }),
    now: () => now(),
    settings: { checkIntervalSeconds: null, autoRestartEnabled: true, autoRestartMaxPerHour: 5, autoRestartCooldownSeconds: 300, historySize: 100, ...settings },
    probe: async (url) => {
      const name = byPort.get(new URL(url).port) ?? 'unknown';
      probes.push(name);
      return answers.get(name) ?? OK;
    },
  });
  const config = gatewayConfig(upstreams);
  await supervisor.apply(config);
  monitor.apply(config);
  for (const upstream of upstreams) byPort.set(registry.get(upstream.name)!.target!.port, upstream.name);
  await supervisor.startAll();
  harness = { supervisor, registry, monitor, lifecycle, answers, probes };
  return harness;
}

describe('health monitor', () => {
  it('marks an upstream down after unhealthy_threshold failed checks and up again after healthy_threshold good ones', async () => {
    const { monitor, registry, answers } = await setup([upstreamConfig('orm', { health: healthConfig({ unhealthyThreshold: 2, healthyThreshold: 2 }) })]);
    answers.set('orm', TIMEOUT);
    await monitor.runCycle();
    expect(registry.get('orm')?.availability).toBe('up');
    const second = await monitor.runCycle();
    expect(registry.get('orm')).toMatchObject({ availability: 'down', reason: 'orm is failing health checks: timeout after 500 ms' });
    expect(second).toMatchObject({ overall_status: 'unhealthy', issues_found: ['orm: timeout after 500 ms'], checks_performed: ['orm'] });
    answers.set('orm', OK);
    await monitor.runCycle();
    expect(registry.get('orm')?.availability).toBe('down');
    const healthy = await monitor.runCycle();
    expect(registry.get('orm')?.availability).toBe('up');
    expect(healthy.overall_status).toBe('healthy');
  });

  it('reports a store the upstream cannot reach without restarting it or taking its traffic away', async () => {
    const { monitor, registry, answers, supervisor } = await setup([upstreamConfig('orm', { health: healthConfig({ restartAfterFailures: 1 }) })]);
    answers.set('orm', DB_DOWN);
    const result = await monitor.runCycle();
    expect(result.issues_found).toEqual(['orm: database unreachable: connection refused']);
    expect(result.recovery_actions).toEqual([]);
    expect(registry.get('orm')?.availability).toBe('up');
    expect(supervisor.status('orm')?.restarts).toBe(0);
  });

  it('auto-restarts after restart_after_failures and then respects the cooldown, keeping a history', async () => {
    const { monitor, answers, supervisor } = await setup([upstreamConfig('orm', { health: healthConfig({ unhealthyThreshold: 1, restartAfterFailures: 2 }) })]);
    answers.set('orm', TIMEOUT);
    await monitor.runCycle();
    const restarted = await monitor.runCycle();
    expect(restarted.recovery_actions).toEqual(['Auto-restarted service orm']);
    expect(monitor.guard.history()).toEqual([expect.objectContaining({ service_name: 'orm', action_type: 'auto_restart', reason: expect.stringMatching(/2 consecutive failed health checks/) })]);
    await expect.poll(() => supervisor.status('orm')?.restarts).toBe(1);
    await monitor.runCycle();
    const refused = await monitor.runCycle();
    expect(refused.recovery_actions).toEqual([]);
    expect(refused.issues_found).toContainEqual(expect.stringMatching(/orm: auto-restart cooldown active/));
  });

  it('never auto-restarts when HEALTH_AUTO_RESTART_ENABLED is off', async () => {
    const { monitor, answers } = await setup([upstreamConfig('orm', { health: healthConfig({ restartAfterFailures: 1 }) })], { autoRestartEnabled: false });
    answers.set('orm', TIMEOUT);
    const result = await monitor.runCycle();
    expect(result.recovery_actions).toEqual([]);
  });

  it('shares one cycle between concurrent callers (single-flight)', async () => {
    const { monitor, probes } = await setup([upstreamConfig('orm'), upstreamConfig('cache')]);
    const [a, b, c] = await Promise.all([monitor.runCycle(), monitor.runCycle(), monitor.runCycle()]);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(probes.sort()).toEqual(['cache', 'orm']);
  });

  it('marks an upstream down from proxy connection errors at the threshold and re-checks it at once', async () => {
    const { registry, answers, probes } = await setup([upstreamConfig('ext', { url: 'http://127.0.0.1:40999', process: null, health: healthConfig({ unhealthyThreshold: 2 }) })]);
    answers.set('ext', TIMEOUT);
    registry.reportConnectionError('ext', new Error('ECONNREFUSED'));
    expect(registry.get('ext')?.availability).toBe('up');
    registry.reportConnectionError('ext', new Error('ECONNREFUSED'));
    expect(registry.get('ext')).toMatchObject({ availability: 'down', reason: 'ext is unreachable (2 proxy connection errors)' });
    await expect.poll(() => probes.length).toBeGreaterThan(0);
  });

  it('ignores proxy connection errors while a zero-downtime restart switches processes', async () => {
    const { registry, supervisor } = await setup([upstreamConfig('orm', { health: healthConfig({ unhealthyThreshold: 1 }) })]);
    const replaced = new Promise<void>((resolve) => supervisor.once('replaced', () => resolve()));
    const restarting = supervisor.restart('orm');
    await replaced;
    expect(supervisor.isSwitching('orm')).toBe(true);
    registry.reportConnectionError('orm', new Error('ECONNRESET'));
    expect(registry.get('orm')?.availability).toBe('up');
    await restarting;
    expect(supervisor.isSwitching('orm')).toBe(false);
  });

  it('does not probe a supervised service that is not running (the supervisor owns that)', async () => {
    const { monitor, supervisor, probes } = await setup();
    await supervisor.stop('orm');
    const result = await monitor.runCycle();
    expect(probes).toEqual([]);
    expect(result.issues_found).toEqual([expect.stringMatching(/^orm: orm is stopped/)]);
  });

  it('schedules with node-cron at the smallest configured interval, or the override', async () => {
    const { monitor } = await setup([upstreamConfig('orm', { health: healthConfig({ intervalMs: 5_000 }) })]);
    monitor.start();
    expect(monitor.schedule()).toMatchObject({ expression: '*/5 * * * * *', intervalSeconds: 5, running: true });
    expect(Date.parse(monitor.schedule().nextCheck!)).toBeGreaterThan(Date.now() - 1);
  });

  it('runs a requested (forced) cycle at most once a second; callers in between get the latest result (issue 10 #10)', async () => {
    let clock = 1_000_000;
    const { monitor, probes } = await setup([upstreamConfig('orm')], {}, () => clock);
    const first = await monitor.requestCycle();
    const burst = await Promise.all(Array.from({ length: 50 }, () => monitor.requestCycle()));
    expect(probes).toHaveLength(1);
    for (const result of burst) expect(result).toBe(first);
    clock += 999;
    await monitor.requestCycle();
    expect(probes).toHaveLength(1);
    clock += 1;
    const next = await monitor.requestCycle();
    expect(probes).toHaveLength(2);
    expect(next).not.toBe(first);
  });

  it('lets concurrent requested cycles share the one in flight', async () => {
    const { monitor, probes } = await setup();
    const results = await Promise.all([monitor.requestCycle(), monitor.requestCycle(), monitor.requestCycle()]);
    expect(probes).toHaveLength(1);
    expect(new Set(results).size).toBe(1);
  });
});
