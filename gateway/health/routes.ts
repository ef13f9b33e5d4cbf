// The public health endpoints (DESIGN.md "Health") as LocalRoutes. All answers
// come from the monitor's cache (POST /health/check excepted, which runs one
// single-flight cycle); none carries pids, commands, paths or secrets.
import type { GatewayLifecycle } from '../http/lifecycle.ts';
import type { LocalRoute } from '../pipeline/context.ts';
import type { AppSupervisor } from '../supervisor/supervisor.ts';
import type { UpstreamRegistry } from '../registry/upstream-registry.ts';
import type { HealthMonitor } from './monitor.ts';
import { HEALTH_DEFAULTS } from './settings.ts';
import { describeTarget, failingChecks, overallStatus, scrub } from './verdicts.ts';
import { readGatewayVersion } from '../http/version.ts';

export interface HealthRoutesOptions {
  monitor: HealthMonitor;
  supervisor: AppSupervisor;
  registry: UpstreamRegistry;
  lifecycle: GatewayLifecycle;
  version?: string;
  /** More checks /health/check and /health count as failing (the primary's worker pool: name → why). */
  extraChecks?: () => Record<string, string>;
}

const SERVICE_NAME = 'fullon_master_api';
const NO_STORE = { 'cache-control': 'no-store' };

export function createHealthRoutes(options: HealthRoutesOptions): LocalRoute[] {
  const { monitor, lifecycle } = options;
  const version = options.version ?? readGatewayVersion();
  const sources = { supervisor: options.supervisor, registry: options.registry };

  const services = () =>
    Object.fromEntries(
      monitor.targets().map((target) => {
        const view = describeTarget(target, sources);
        return [target.name, { status: view.status, is_running: view.is_running, healthy: view.healthy }];
      }),
    );

  const details = () =>
    Object.fromEntries(
      monitor.targets().map((target) => {
        const view = describeTarget(target, sources);
        const dependencies = Object.fromEntries(
          Object.entries(target.dependencies).map(([name, report]) => [name, { ...report, ...(report.error ? { error: scrub(report.error) } : {}) }]),
        );
        return [target.name, { ...view, last_check: target.lastCheck, latency_ms: target.latencyMs, consecutive_failures: target.consecutiveFailures, dependencies }];
      }),
    );

  const monitoring = () => {
    const schedule = monitor.schedule();
    return { enabled: true, is_running: schedule.running, schedule: schedule.expression, check_interval_seconds: schedule.intervalSeconds, last_check: monitor.lastResult()?.timestamp ?? null, next_check: schedule.nextCheck };
  };

  const autoRestart = () => ({
    enabled: monitor.settings.autoRestartEnabled,
    cooldown_seconds: monitor.settings.autoRestartCooldownSeconds,
    max_restarts_per_hour: monitor.settings.autoRestartMaxPerHour,
    services_to_monitor: monitor.targets().filter((t) => t.managed && (t.health?.restartAfterFailures ?? 0) > 0).map((t) => t.name),
  });

  return [
    {
      method: 'GET',
      path: '/health/live',
      auth: 'public',
      handle: () => ({ status: 200, body: { status: 'alive' }, headers: NO_STORE }),
    },
    {
      method: 'GET',
      path: '/health/check',
      auth: 'public',
      // For load balancers: cached state only, and 503 from the first moment of shutdown.
      handle: () => {
        const failing = { ...failingChecks(monitor.targets(), sources, lifecycle), ...options.extraChecks?.() };
        const names = Object.keys(failing);
        if (names.length === 0) return { status: 200, body: { status: 'ok' }, headers: NO_STORE };
        const detail = names.map((name) => `${name}: ${failing[name]}`).join('; ');
        return { status: 503, body: { status: 'unavailable', detail, failing }, headers: { ...NO_STORE, 'retry-after': '5' } };
      },
    },
    {
      method: 'POST',
      path: '/health/check',
      auth: 'public',
      handle: async () => ({ status: 200, body: { status: 'completed', result: await monitor.requestCycle() }, headers: NO_STORE }),
    },
    {
      method: 'GET',
      path: '/health',
      auth: 'public',
      handle: () => {
        const last = monitor.lastResult();
        const extra = options.extraChecks?.() ?? {};
        const overall = lifecycle.draining ? 'unhealthy' : overallStatus(monitor.targets(), sources, lifecycle);
        // A worker down is less capacity, not a broken gateway: at worst degraded.
        const status = overall === 'healthy' && Object.keys(extra).length > 0 ? 'degraded' : overall;
        const issues = [
          ...monitor
            .targets()
            .map((target) => ({ target, view: describeTarget(target, sources) }))
            .filter(({ view }) => !view.healthy)
            .map(({ target, view }) => `${target.name}: ${view.reason}`),
          ...Object.entries(extra).map(([name, reason]) => `${name}: ${reason}`),
        ];
        return {
          status: 200,
          headers: NO_STORE,
          body: {
            status,
            version,
            service: SERVICE_NAME,
            uptime_s: lifecycle.uptimeSeconds(),
            services: details(),
            monitoring: monitoring(),
            auto_restart: autoRestart(),
            metrics: metrics(),
            issues,
            recovery_actions: last?.recovery_actions ?? [],
            recent_actions: monitor.guard.history().slice(-HEALTH_DEFAULTS.recentActions),
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/health/services',
      auth: 'public',
      handle: () => ({ status: 200, body: { services: services() }, headers: NO_STORE }),
    },
    {
      method: 'GET',
      path: '/health/monitor',
      auth: 'public',
      handle: () => ({
        status: 200,
        headers: NO_STORE,
        body: {
          monitoring: monitoring(),
          auto_restart: autoRestart(),
          services: Object.fromEntries(
            monitor.targets().map((t) => [t.name, { healthy: t.healthy, consecutive_failures: t.consecutiveFailures, consecutive_successes: t.consecutiveSuccesses, last_check: t.lastCheck, last_error: t.lastError && scrub(t.lastError) }]),
          ),
          restart_counts: restartCounts(),
          recovery_actions: monitor.guard.history(),
          last_result: monitor.lastResult(),
          // Locations only: problem messages can echo interpolated secrets; the full text is in the gateway log.
          reload: {
            count: lifecycle.reload.count,
            failures: lifecycle.reload.failures,
            last_at: lifecycle.reload.lastAt,
            last_error: lifecycle.reload.lastError === null ? null : `routes file refused (${lifecycle.reload.lastErrorLocations.join('; ')}); full problems in the gateway log`,
          },
          metrics: metrics(),
        },
      }),
    },
  ];

  function restartCounts(): Record<string, { restarts: number; auto_restarts_last_hour: number }> {
    const auto = monitor.guard.counts();
    return Object.fromEntries(
      options.supervisor.names().map((name) => [name, { restarts: options.supervisor.status(name)?.restarts ?? 0, auto_restarts_last_hour: auto[name] ?? 0 }]),
    );
  }

  function metrics() {
    const history = monitor.guard.history();
    return {
      uptime_seconds: lifecycle.uptimeSeconds(),
      total_checks: monitor.schedule().totalChecks,
      total_recovery_actions: history.length,
      service_restart_counts: monitor.guard.counts(),
    };
  }
}
