// Health monitor settings from the environment, in one defaults object.
// Interval: 10 s by default (the Python original used 300 s, which left a hung
// upstream routed for up to 15 minutes at 3 failed checks). With the default
// unhealthy_threshold of 3 a dead upstream is marked down within ~30 s by active
// checks alone (at once by passive proxy errors and by the supervisor on exit);
// a probe is one loopback GET, so the cost is negligible.

export const HEALTH_DEFAULTS = {
  checkIntervalSeconds: 10,
  autoRestartEnabled: true,
  autoRestartMaxPerHour: 5,
  autoRestartCooldownSeconds: 300,
  /** Recovery actions kept for /health/monitor (the original kept 100). */
  historySize: 100,
  /** Recovery actions shown as `recent_actions` in /health. */
  recentActions: 10,
} as const;

export interface HealthSettings {
  /** null: no override, each upstream's health.interval decides. */
  checkIntervalSeconds: number | null;
  autoRestartEnabled: boolean;
  autoRestartMaxPerHour: number;
  autoRestartCooldownSeconds: number;
  historySize: number;
}

export class HealthSettingsError extends Error {
  readonly code = 'HEALTH_SETTINGS_INVALID';
}

export function loadHealthSettings(env: NodeJS.ProcessEnv = process.env): HealthSettings {
  const interval = env.HEALTH_CHECK_INTERVAL_SECONDS?.trim();
  return {
    checkIntervalSeconds: interval ? readInt('HEALTH_CHECK_INTERVAL_SECONDS', interval, 1, 86_400) : null,
    autoRestartEnabled: readBool('HEALTH_AUTO_RESTART_ENABLED', env.HEALTH_AUTO_RESTART_ENABLED, HEALTH_DEFAULTS.autoRestartEnabled),
    autoRestartMaxPerHour: readInt('HEALTH_AUTO_RESTART_MAX_PER_HOUR', env.HEALTH_AUTO_RESTART_MAX_PER_HOUR, 0, 1_000, HEALTH_DEFAULTS.autoRestartMaxPerHour),
    autoRestartCooldownSeconds: readInt('HEALTH_AUTO_RESTART_COOLDOWN_SECONDS', env.HEALTH_AUTO_RESTART_COOLDOWN_SECONDS, 0, 86_400, HEALTH_DEFAULTS.autoRestartCooldownSeconds),
    historySize: HEALTH_DEFAULTS.historySize,
  };
}

function readInt(name: string, raw: string | undefined, min: number, max: number, fallback?: number): number {
  if (raw === undefined || raw.trim() === '') {
    if (fallback === undefined) throw new HealthSettingsError(`${name} is required`);
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new HealthSettingsError(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  return value;
}

function readBool(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new HealthSettingsError(`${name} must be true or false (got "${raw}")`);
}
