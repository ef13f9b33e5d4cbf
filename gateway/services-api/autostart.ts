// Which route-less services (the collectors) start with the gateway, with the
// original's settings and defaults: SERVICE_AUTO_START_ENABLED (default true)
// and SERVICES_TO_AUTO_START (default "ticker,ohlcv,account"). The upstreams
// (orm_api, ohlcv_api, cache_api) follow their routes.yaml `autostart` only.

export const AUTO_START_DEFAULTS = { enabled: true, services: ['ticker', 'ohlcv', 'account'] } as const;

export class AutoStartSettingsError extends Error {}

export interface AutoStartSettings {
  enabled: boolean;
  services: string[];
}

export function loadAutoStartSettings(env: NodeJS.ProcessEnv = process.env): AutoStartSettings {
  const raw = env.SERVICE_AUTO_START_ENABLED?.trim().toLowerCase();
  let enabled: boolean = AUTO_START_DEFAULTS.enabled;
  if (raw) {
    if (['1', 'true', 'yes', 'on'].includes(raw)) enabled = true;
    else if (['0', 'false', 'no', 'off'].includes(raw)) enabled = false;
    else throw new AutoStartSettingsError(`SERVICE_AUTO_START_ENABLED must be true or false (got "${env.SERVICE_AUTO_START_ENABLED}")`);
  }
  const list = env.SERVICES_TO_AUTO_START;
  const services = list === undefined || list.trim() === '' ? [...AUTO_START_DEFAULTS.services] : list.split(',').map((name) => name.trim()).filter(Boolean);
  return { enabled, services };
}

/** The supervisor's filter: upstreams always as configured; services only when listed and enabled. */
export function autostartFilter(settings: AutoStartSettings): (name: string, kind: 'upstream' | 'service') => boolean {
  const listed = new Set(settings.services);
  return (name, kind) => kind === 'upstream' || (settings.enabled && listed.has(name));
}
