// Supervision policy as pure functions over named constants (systemd Restart=,
// RestartSec, StartLimitBurst; PM2 exp_backoff_restart_delay): which exits are
// restarted, how long to wait, and when to give up. No timers, no processes.
import type { RestartPolicy } from '../config/types.ts';

export const SUPERVISOR_POLICY = {
  /** Readiness probe cadence while `starting` (short: a start should be noticed at once). */
  readinessPollMs: 100,
  /**
   * A service without a health URL counts as started once it stayed up this long
   * (PM2's min_uptime idea): a command that exits at once is a failed start, not a
   * "running" service that then crashes.
   */
  settleWithoutHealthMs: 500,
  /**
   * startAll starts the route-less services (collectors) once the upstreams are
   * running, or after this long when an upstream is slow or failing: they must
   * not wait a whole start_timeout for it.
   */
  servicesStartAfterMs: 15_000,
  /** Per-probe timeout while `starting`. */
  readinessProbeTimeoutMs: 1_000,
  /** Jitter spreads restarts of services that crashed together: delay is in [base/2, base]. */
  backoffJitterRatio: 0.5,
  /** After `exit`, wait this long for stdout/stderr to flush before reporting the exit. */
  outputFlushMs: 500,
  /** Retry-After (s) advertised while a service is stopped, stopping or failed. */
  retryAfterDownS: 5,
  /** Retry-After (s) while it is starting. */
  retryAfterStartingS: 1,
  /** Lines of output kept per service for /logs (the endpoint's maximum). */
  logLines: 1_000,
  /** Longest line kept in the ring buffer; the rest is cut (a runaway line must not eat memory). */
  maxLineLength: 8_192,
} as const;

export interface BackoffPolicy {
  backoffInitialMs: number;
  backoffMaxMs: number;
}

/**
 * Delay before restart attempt `attempt` (0-based): initial·2^attempt capped at max,
 * then "equal jitter" so the result lies in [base·(1-ratio), base] and never above the cap.
 */
export function computeBackoffMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exponent = Math.min(attempt, 30);
  const base = Math.min(policy.backoffMaxMs, policy.backoffInitialMs * 2 ** exponent);
  const jitter = SUPERVISOR_POLICY.backoffJitterRatio;
  return Math.round(base * (1 - jitter) + base * jitter * random());
}

export interface ExitFacts {
  code: number | null;
  signal: string | null;
  /** The process never became ready (exited or timed out while starting). */
  duringStart: boolean;
}

/** A clean exit is code 0 after having run; a failed start is never clean. */
export function isCleanExit(exit: ExitFacts): boolean {
  return !exit.duringStart && exit.code === 0 && exit.signal === null;
}

/** systemd semantics: always restarts everything, on-failure only unclean exits, never nothing. */
export function shouldRestart(policy: RestartPolicy, exit: ExitFacts): boolean {
  if (policy === 'always') return true;
  if (policy === 'on-failure') return !isCleanExit(exit);
  return false;
}

/** Start timestamps inside the start-limit window (systemd StartLimitIntervalSec/Burst). */
export class StartLimit {
  #starts: number[] = [];
  readonly #burst: number;
  readonly #intervalMs: number;

  constructor(burst: number, intervalMs: number) {
    this.#burst = burst;
    this.#intervalMs = intervalMs;
  }

  /** True when another start now would exceed the burst. */
  exceeded(now: number): boolean {
    this.#prune(now);
    return this.#burst > 0 && this.#starts.length >= this.#burst;
  }

  record(now: number): void {
    this.#prune(now);
    this.#starts.push(now);
  }

  /** An admin start clears the history (systemctl reset-failed). */
  reset(): void {
    this.#starts = [];
  }

  count(now: number): number {
    this.#prune(now);
    return this.#starts.length;
  }

  #prune(now: number): void {
    const from = now - this.#intervalMs;
    while (this.#starts.length > 0 && (this.#starts[0] as number) <= from) this.#starts.shift();
  }
}
