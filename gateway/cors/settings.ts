// CORS settings under the original's names and defaults (fullon_master_api's
// config.py: cors_origins ["*"], cors_allow_credentials true, cors_allow_methods
// ["*"], cors_allow_headers ["*"]). Values are read as pydantic-settings read
// them — a JSON list (CORS_ORIGINS=["http://localhost:3000"]) — or as a plain
// comma-separated list.

export interface CorsSettings {
  /** Exact origins, or ["*"] for any. */
  origins: string[];
  allowCredentials: boolean;
  /** Methods, or ["*"] for every method. */
  allowMethods: string[];
  /** Request headers, or ["*"] to allow whatever the preflight asks for. */
  allowHeaders: string[];
  /** Response headers a browser script may read (paging and request id). */
  exposeHeaders: string[];
  /** How long a browser may cache a preflight answer, seconds. */
  maxAgeS: number;
}

export const CORS_DEFAULTS: CorsSettings = {
  origins: ['*'],
  allowCredentials: true,
  allowMethods: ['*'],
  allowHeaders: ['*'],
  exposeHeaders: ['X-Request-Id', 'X-Total-Count', 'Link'],
  // Starlette's CORSMiddleware default, as the original ran it.
  maxAgeS: 600,
};

export class CorsSettingsError extends Error {
  readonly code = 'SETTINGS_INVALID';
}

export function readCorsSettings(env: NodeJS.ProcessEnv = process.env): CorsSettings {
  const origins = (readList(env, 'CORS_ORIGINS') ?? CORS_DEFAULTS.origins).map((origin) => origin.replace(/\/$/, ''));
  for (const origin of origins) {
    if (origin !== '*' && !/^[a-z][a-z0-9+.-]*:\/\/[^/\s]+$/i.test(origin)) {
      throw new CorsSettingsError(`CORS_ORIGINS: "${origin}" is not an origin (scheme://host[:port], no path) nor "*"`);
    }
  }
  const credentials = env.CORS_ALLOW_CREDENTIALS?.trim().toLowerCase();
  if (credentials !== undefined && credentials !== '' && !['true', 'false', '1', '0'].includes(credentials)) {
    throw new CorsSettingsError(`CORS_ALLOW_CREDENTIALS must be true or false, got "${env.CORS_ALLOW_CREDENTIALS}"`);
  }
  const maxAge = env.CORS_MAX_AGE?.trim() ? Number(env.CORS_MAX_AGE) : CORS_DEFAULTS.maxAgeS;
  if (!Number.isInteger(maxAge) || maxAge < 0) throw new CorsSettingsError(`CORS_MAX_AGE must be a non-negative integer, got "${env.CORS_MAX_AGE}"`);
  return {
    origins,
    allowCredentials: credentials === undefined || credentials === '' ? CORS_DEFAULTS.allowCredentials : credentials === 'true' || credentials === '1',
    allowMethods: (readList(env, 'CORS_ALLOW_METHODS') ?? CORS_DEFAULTS.allowMethods).map((m) => (m === '*' ? m : m.toUpperCase())),
    allowHeaders: readList(env, 'CORS_ALLOW_HEADERS') ?? CORS_DEFAULTS.allowHeaders,
    exposeHeaders: readList(env, 'CORS_EXPOSE_HEADERS') ?? CORS_DEFAULTS.exposeHeaders,
    maxAgeS: maxAge,
  };
}

/** A JSON list of strings or a comma-separated list; undefined when unset or empty. */
function readList(env: NodeJS.ProcessEnv, name: string): string[] | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let items: unknown;
  if (raw.startsWith('[')) {
    try {
      items = JSON.parse(raw);
    } catch {
      throw new CorsSettingsError(`${name} must be a JSON list of strings or a comma-separated list`);
    }
    if (!Array.isArray(items) || !items.every((item) => typeof item === 'string')) throw new CorsSettingsError(`${name} must be a JSON list of strings`);
  } else {
    items = raw.split(',');
  }
  const list = (items as string[]).map((item) => item.trim()).filter(Boolean);
  return list.length > 0 ? list : undefined;
}
