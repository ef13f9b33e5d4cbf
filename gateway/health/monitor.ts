// The app-wide health monitor: a node-cron schedule of active checks of every
// upstream and health-checked service, passive marking from the proxy's
// connection errors, and auto-restart of supervised processes that keep failing,
// within the guard rails. Everything the /health endpoints show is cached here.
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/types.ts';
import type { GatewayLifecycle } from '../http/lifecycle.ts';
import type { AppSupervisor } from '../supervisor/supervisor.ts';
import type { UpstreamRegistry } from '../registry/upstream-registry.ts';
import { probeHealth, type Probe } from '../probe/health-probe.ts';
import { RestartGuard } from './restart-guard.ts';
import { cronExpressionFor, tickSecondsOf } from './schedule.ts';
import { HEALTH_DEFAULTS, loadHealthSettings, type HealthSettings } from './settings.ts';
import { createTarget, recordProbe, type TargetHealth } from './target-state.ts';
import { summarise, type CycleResult } from './verdicts.ts';

export interface HealthMonitorOptions {
  supervisor: AppSupervisor;
  registry: UpstreamRegistry;
  lifecycle: GatewayLifecycle;
  logger: Logger;
  settings?: HealthSettings;
  probe?: Probe;
  now?: () => number;
}

export interface HealthMonitor {
  /** Reconcile the checked targets with a (re)loaded config. */
  apply(config: GatewayConfig): void;
  /** Schedule the checks (and run one at once). */
  start(): void;
  stop(): void;
  /** One check of every target now; concurrent callers share one cycle. */
  runCycle(): Promise<CycleResult>;
  /**
   * A check asked for from outside (POST /health/check, anonymous): at most one
   * forced cycle per FORCED_CYCLE_MIN_INTERVAL_MS; callers in between share the
   * running cycle or get the latest result (issue 10 #10: a flood must not become
   * a flood of probes).
   */
  requestCycle(): Promise<CycleResult>;
  targets(): TargetHealth[];
  lastResult(): CycleResult | null;
  guard: RestartGuard;
  settings: HealthSettings;
  schedule(): { expression: string | null; intervalSeconds: number; running: boolean; nextCheck: string | null; totalChecks: number };
}

/** Forced check cycles asked for by clients run at most this often. */
export const FORCED_CYCLE_MIN_INTERVAL_MS = 1000;

export function createHealthMonitor(options: HealthMonitorOptions): HealthMonitor {
  const settings = options.settings ?? loadHealthSettings();
  const probe = options.probe ?? probeHealth;
  const now = options.now ?? Date.now;
  const { supervisor, registry, logger } = options;
  const targets = new Map<string, TargetHealth>();
  const guard = new RestartGuard({ maxPerHour: settings.autoRestartMaxPerHour, cooldownMs: settings.autoRestartCooldownSeconds * 1000, historySize: settings.historySize, now });
  const checking = new Map<string, Promise<void>>();
  let task: ScheduledTask | null = null;
  let expression: string | null = null;
  let inflight: Promise<CycleResult> | null = null;
  let last: CycleResult | null = null;
  let totalChecks = 0;
  let cycleIssues: string[] = [];
  let cycleActions: string[] = [];

  function intervalSeconds(): number {
    if (settings.checkIntervalSeconds !== null) return settings.checkIntervalSeconds;
    const intervals = [...targets.values()].flatMap((target) => (target.health ? [target.health.intervalMs / 1000] : []));
    return intervals.length > 0 ? Math.max(1, Math.min(...intervals)) : HEALTH_DEFAULTS.checkIntervalSeconds;
  }

  /** Probes one target unless one probe of it is already running (passive events join it). */
  function checkTarget(target: TargetHealth): Promise<void> {
    const running = checking.get(target.name);
    if (running) return running;
    const pending = probeTarget(target).finally(() => checking.delete(target.name));
    checking.set(target.name, pending);
    return pending;
  }

  async function probeTarget(target: TargetHealth): Promise<void> {
    const status = supervisor.status(target.name);
    // A supervised process that is not running is the supervisor's business: no probe, no count.
    if (target.managed && status && status.status !== 'running') return;
    const base = target.kind === 'upstream' ? (registry.get(target.name)?.target?.toString() ?? null) : supervisor.baseUrlOf(target.name);
    if (!target.health || !base) return;
    const result = await probe(new URL(target.health.path, base).toString(), target.health.timeoutMs);
    totalChecks++;
    const { verdict, changed } = recordProbe(target, result, now());
    if (verdict === 'failure') logger.warn({ service_name: target.name, error: target.lastError, failures: target.consecutiveFailures }, `${target.name}: health check failed`);
    if (changed) logger.info({ service_name: target.name, healthy: target.healthy, error: target.lastError }, target.healthy ? `${target.name}: healthy` : `${target.name}: unhealthy (${target.lastError ?? 'failing checks'})`);
    if (target.kind === 'upstream' && changed && verdict === 'failure') {
      registry.setHealthVerdict(target.name, { reason: `${target.name} is failing health checks: ${target.lastError}`, retryAfterS: Math.max(1, Math.round(intervalSeconds())) });
    }
    // Passing again: the verdict clears; whether the process runs is the supervisor's fact.
    if (target.kind === 'upstream' && verdict === 'ok' && target.healthy) registry.setHealthVerdict(target.name, null);
    if (verdict === 'failure') maybeRestart(target);
  }

  function maybeRestart(target: TargetHealth): void {
    const threshold = target.health?.restartAfterFailures ?? 0;
    if (!target.managed || threshold <= 0 || target.consecutiveFailures < threshold || !settings.autoRestartEnabled) return;
    const refusal = guard.refusal(target.name);
    if (refusal) {
      cycleIssues.push(`${target.name}: ${refusal}`);
      return;
    }
    const reason = `${target.consecutiveFailures} consecutive failed health checks (${target.lastError})`;
    guard.record(target.name, reason);
    cycleActions.push(`Auto-restarted service ${target.name}`);
    logger.warn({ service_name: target.name, reason }, `${target.name}: auto-restarting service`);
    target.consecutiveFailures = 0;
    supervisor.restart(target.name).catch((error: Error) => logger.error({ service_name: target.name, err: error.message }, `${target.name}: auto-restart failed`));
  }

  /** forced (POST /health/check): every target; scheduled: those whose own interval elapsed. */
  async function cycle(forced: boolean): Promise<CycleResult> {
    const tick = intervalSeconds() * 1000;
    const due = [...targets.values()].filter(
      (target) => forced || settings.checkIntervalSeconds !== null || !target.health || target.lastCheckAt === null || now() - target.lastCheckAt >= target.health.intervalMs - tick / 2,
    );
    await Promise.all(due.map((target) => checkTarget(target).catch((error: Error) => logger.error({ service_name: target.name, err: error.message }, `${target.name}: health check crashed`))));
    const result = summarise({ now: now(), checked: due.map((t) => t.name), targets: [...targets.values()], supervisor, registry, lifecycle: options.lifecycle, extraIssues: cycleIssues, actions: cycleActions });
    cycleIssues = [];
    cycleActions = [];
    last = result;
    return result;
  }

  let lastForcedAt = Number.NEGATIVE_INFINITY;
  function requestCycle(): Promise<CycleResult> {
    if (inflight) return inflight;
    if (last !== null && now() - lastForcedAt < FORCED_CYCLE_MIN_INTERVAL_MS) return Promise.resolve(last);
    lastForcedAt = now();
    return runCycle(true);
  }

  function runCycle(forced = true): Promise<CycleResult> {
    inflight ??= cycle(forced).finally(() => (inflight = null));
    return inflight;
  }

  function reschedule(): void {
    if (!task) return;
    const next = cronExpressionFor(intervalSeconds());
    if (next === expression) return;
    void task.destroy();
    schedule(next);
  }

  function schedule(next: string): void {
    expression = next;
    // Due-ness is per target; the tick only wakes the monitor up.
    task = cron.schedule(next, () => void runScheduled(), { name: 'health-monitor', noOverlap: true });
  }

  async function runScheduled(): Promise<void> {
    // A POST /health/check in flight counts as this tick (single-flight).
    await runCycle(false).catch((error: Error) => logger.error({ err: error.message }, 'health cycle failed'));
  }

  // A fresh process starts with a clean record: old failures must not restart it again.
  const forget = (name: string) => {
    const target = targets.get(name);
    if (!target) return;
    Object.assign(target, { healthy: null, consecutiveFailures: 0, consecutiveSuccesses: 0, lastError: null });
    registry.setHealthVerdict(name, null);
  };
  supervisor.on('transition', (transition) => {
    if (transition.to === 'running') forget(transition.name);
  });
  supervisor.on('replaced', forget);

  registry.on('connectionError', (name) => {
    const target = targets.get(name);
    const state = registry.get(name);
    if (!target?.health || !state || supervisor.isSwitching(name)) return;
    if (state.availability === 'up' && state.connectionErrors >= target.health.unhealthyThreshold) {
      target.healthy = false;
      target.lastError = `${state.connectionErrors} proxy connection errors`;
      registry.setHealthVerdict(name, { reason: `${name} is unreachable (${target.lastError})`, retryAfterS: 1 });
    }
    void checkTarget(target);
  });

  return {
    guard,
    settings,
    apply(config) {
      const seen = new Set<string>();
      const upsert = (name: string, kind: TargetHealth['kind'], health: TargetHealth['health'], managed: boolean) => {
        seen.add(name);
        const existing = targets.get(name);
        if (existing) Object.assign(existing, { kind, health, managed, critical: health?.critical ?? false });
        else targets.set(name, createTarget(name, kind, health, managed));
      };
      for (const upstream of config.upstreams.values()) upsert(upstream.name, 'upstream', upstream.health, upstream.process !== null);
      for (const service of config.services.values()) upsert(service.name, 'service', service.health, true);
      for (const name of [...targets.keys()]) if (!seen.has(name)) targets.delete(name);
      reschedule();
    },
    start() {
      if (task) return;
      schedule(cronExpressionFor(intervalSeconds()));
      void runCycle(true).catch((error: Error) => logger.error({ err: error.message }, 'health cycle failed'));
    },
    stop() {
      void task?.destroy();
      task = null;
    },
    runCycle,
    requestCycle,
    targets: () => [...targets.values()],
    lastResult: () => last,
    schedule: () => ({
      expression,
      intervalSeconds: expression ? tickSecondsOf(expression) : intervalSeconds(),
      running: task !== null,
      nextCheck: task?.getNextRun()?.toISOString() ?? null,
      totalChecks,
    }),
  };
}

