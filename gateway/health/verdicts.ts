// Turns cached monitor state into answers: one target's public view, what fails
// for /health/check, and a cycle's result. Pure reads: no I/O on request paths.
import type { GatewayLifecycle } from '../http/lifecycle.ts';
import type { AppSupervisor } from '../supervisor/supervisor.ts';
import type { ServiceState } from '../supervisor/types.ts';
import type { UpstreamRegistry } from '../registry/upstream-registry.ts';
import type { TargetHealth } from './target-state.ts';

export type OverallStatus = 'healthy' | 'degraded' | 'unhealthy';

/** POST /health/check `result` (field names from the original HealthCheckResult). */
export interface CycleResult {
  timestamp: string;
  checks_performed: string[];
  issues_found: string[];
  recovery_actions: string[];
  overall_status: OverallStatus;
}

export interface TargetView {
  status: ServiceState;
  is_running: boolean;
  healthy: boolean;
  critical: boolean;
  managed: boolean;
  /** Why it is not healthy; null when it is. */
  reason: string | null;
}

export interface VerdictSources {
  supervisor: AppSupervisor;
  registry: UpstreamRegistry;
}

export function describeTarget(target: TargetHealth, sources: VerdictSources): TargetView {
  const availability = target.kind === 'upstream' ? sources.registry.get(target.name) : undefined;
  const supervised = sources.supervisor.status(target.name);
  const status: ServiceState = target.managed ? (supervised?.status ?? 'stopped') : availability?.availability === 'up' || target.healthy ? 'running' : 'stopped';
  const running = status === 'running';
  let reason: string | null = null;
  // A route-less service (a collector) that is stopped was stopped on purpose (or
  // not autostarted): no issue. Upstreams are always meant to run.
  const deliberatelyStopped = target.kind === 'service' && status === 'stopped';
  if (target.managed && !running && !deliberatelyStopped) reason = availability?.reason ?? `${target.name} is ${status}`;
  else if (target.healthy === false) reason = target.lastError ?? 'failing health checks';
  else if (availability?.availability === 'down') reason = availability.reason ?? 'marked down';
  return { status, is_running: running, healthy: reason === null, critical: target.critical, managed: target.managed, reason: reason && scrub(reason) };
}

/** What /health/check reports as failing: draining, a bad config, unhealthy critical upstreams. */
export function failingChecks(targets: TargetHealth[], sources: VerdictSources, lifecycle: GatewayLifecycle): Record<string, string> {
  const failing: Record<string, string> = {};
  if (lifecycle.draining) failing.gateway = 'draining: the gateway is shutting down';
  if (!lifecycle.configValid) failing.config = 'the routes file is invalid';
  for (const target of targets) {
    if (!target.critical) continue;
    const view = describeTarget(target, sources);
    if (!view.healthy) failing[target.name] = view.reason ?? 'unhealthy';
  }
  return failing;
}

export interface SummaryInput extends VerdictSources {
  now: number;
  checked: string[];
  targets: TargetHealth[];
  lifecycle: GatewayLifecycle;
  extraIssues: string[];
  actions: string[];
}

export function summarise(input: SummaryInput): CycleResult {
  const issues: string[] = [];
  for (const target of input.targets) {
    const view = describeTarget(target, input);
    if (!view.healthy) issues.push(`${target.name}: ${view.reason}`);
  }
  issues.push(...input.extraIssues);
  return {
    timestamp: new Date(input.now).toISOString(),
    checks_performed: input.checked,
    issues_found: issues,
    recovery_actions: input.actions,
    overall_status: overallStatus(input.targets, input, input.lifecycle, issues.length),
  };
}

export function overallStatus(targets: TargetHealth[], sources: VerdictSources, lifecycle: GatewayLifecycle, issueCount?: number): OverallStatus {
  if (Object.keys(failingChecks(targets, sources, lifecycle)).length > 0) return 'unhealthy';
  const issues = issueCount ?? targets.filter((target) => !describeTarget(target, sources).healthy).length;
  return issues > 0 ? 'degraded' : 'healthy';
}

/** Public bodies carry no URLs (they may hold credentials or internal hosts). */
export function scrub(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, '[url]').slice(0, 500);
}
