// What the monitor knows about one checked upstream or service, and the pure
// bookkeeping of a probe result against its thresholds (no I/O, no registry).
import type { HealthConfig } from '../config/types.ts';
import type { DependencyReport, ProbeResult } from '../probe/health-probe.ts';

export interface TargetHealth {
  name: string;
  kind: 'upstream' | 'service';
  critical: boolean;
  /** The gateway runs its process (else: external, or only watched). */
  managed: boolean;
  health: HealthConfig | null;
  /** null until the thresholds have decided either way. */
  healthy: boolean | null;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  lastCheck: string | null;
  lastCheckAt: number | null;
  /** Why the last check failed, without URLs or secrets. */
  lastError: string | null;
  latencyMs: number | null;
  /** Store reachability as the upstream reported it in its /health body. */
  dependencies: Record<string, DependencyReport>;
}

export type ProbeVerdict =
  /** Answered 2xx. */
  | 'ok'
  /** Answered, but reports its database/Redis unreachable: not a process fault, no restart. */
  | 'dependency-down'
  /** No or a bad answer: counts towards unhealthy_threshold and restart_after_failures. */
  | 'failure';

export function createTarget(name: string, kind: TargetHealth['kind'], health: HealthConfig | null, managed: boolean): TargetHealth {
  return {
    name,
    kind,
    critical: health?.critical ?? false,
    managed,
    health,
    healthy: null,
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    lastCheck: null,
    lastCheckAt: null,
    lastError: null,
    latencyMs: null,
    dependencies: {},
  };
}

/** Applies one probe result; returns the verdict and whether `healthy` flipped. */
export function recordProbe(target: TargetHealth, result: ProbeResult, now: number): { verdict: ProbeVerdict; changed: boolean } {
  const before = target.healthy;
  const health = target.health;
  target.lastCheckAt = now;
  target.lastCheck = new Date(now).toISOString();
  target.latencyMs = result.latencyMs;
  target.dependencies = result.dependencies;
  const down = Object.entries(result.dependencies).filter(([, report]) => !report.ok);
  let verdict: ProbeVerdict;
  if (result.status !== null && down.length > 0) {
    verdict = 'dependency-down';
    target.consecutiveFailures = 0;
    target.consecutiveSuccesses = 0;
    target.healthy = false;
    target.lastError = down.map(([name, report]) => `${name} unreachable${report.error ? `: ${report.error}` : ''}`).join('; ');
  } else if (result.ok) {
    verdict = 'ok';
    target.consecutiveFailures = 0;
    target.consecutiveSuccesses++;
    target.lastError = null;
    if (target.healthy === null || target.consecutiveSuccesses >= (health?.healthyThreshold ?? 1)) target.healthy = true;
  } else {
    verdict = 'failure';
    target.consecutiveSuccesses = 0;
    target.consecutiveFailures++;
    target.lastError = result.error ?? 'health check failed';
    if (target.consecutiveFailures >= (health?.unhealthyThreshold ?? 1)) target.healthy = false;
  }
  return { verdict, changed: before !== target.healthy };
}
