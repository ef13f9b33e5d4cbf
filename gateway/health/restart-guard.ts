// Guard rails for health-driven auto-restarts (the original's
// HEALTH_AUTO_RESTART_MAX_PER_HOUR and _COOLDOWN_SECONDS) and the bounded history
// of recovery actions shown by /health/monitor.

export interface RecoveryAction {
  timestamp: string;
  service_name: string;
  action_type: 'auto_restart';
  reason: string;
}

export interface RestartGuardOptions {
  maxPerHour: number;
  cooldownMs: number;
  historySize: number;
  now?: () => number;
}

const HOUR_MS = 3_600_000;

export class RestartGuard {
  readonly #options: RestartGuardOptions;
  readonly #now: () => number;
  readonly #restarts = new Map<string, number[]>();
  readonly #history: RecoveryAction[] = [];

  constructor(options: RestartGuardOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** null when a restart may happen now, else why not. */
  refusal(service: string): string | null {
    const now = this.#now();
    const recent = this.#recent(service, now);
    if (recent.length >= this.#options.maxPerHour) return `auto-restart limit reached (${this.#options.maxPerHour} per hour)`;
    const last = recent.at(-1);
    if (last !== undefined && now - last < this.#options.cooldownMs) {
      return `auto-restart cooldown active (${Math.ceil((this.#options.cooldownMs - (now - last)) / 1000)} s left)`;
    }
    return null;
  }

  record(service: string, reason: string): RecoveryAction {
    const now = this.#now();
    this.#restarts.set(service, [...this.#recent(service, now), now]);
    const action: RecoveryAction = { timestamp: new Date(now).toISOString(), service_name: service, action_type: 'auto_restart', reason };
    this.#history.push(action);
    if (this.#history.length > this.#options.historySize) this.#history.splice(0, this.#history.length - this.#options.historySize);
    return action;
  }

  history(): RecoveryAction[] {
    return [...this.#history];
  }

  /** Auto-restarts per service within the last hour. */
  counts(): Record<string, number> {
    const now = this.#now();
    const counts: Record<string, number> = {};
    for (const service of this.#restarts.keys()) counts[service] = this.#recent(service, now).length;
    return counts;
  }

  #recent(service: string, now: number): number[] {
    return (this.#restarts.get(service) ?? []).filter((at) => now - at < HOUR_MS);
  }
}
