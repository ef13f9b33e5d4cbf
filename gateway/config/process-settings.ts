// One validated settings object per gateway process (issue 14 item 0): every
// environment variable the gateway reads is read here, once, at start, from one
// snapshot of the environment, and the parts are passed down; no module of a
// running gateway looks at process.env again. Each part keeps its own reader and
// defaults (config/settings.ts, auth/settings.ts, health/settings.ts, ...), so the
// variable names and defaults are exactly those docs/environment.md lists; this
// module only gathers them, turns every reader's error into one SettingsError (one
// line at start, no stack trace) and validates the few variables wired in main.ts.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { firstIssueLine } from './first-issue.ts';
import { loadAuthSettings, type AuthSettings } from '../auth/settings.ts';
import { loadLoginThrottleSettings, type LoginThrottleSettings } from '../auth/login-throttle.ts';
import { loadHealthSettings, type HealthSettings } from '../health/settings.ts';
import { loadAutoStartSettings, type AutoStartSettings } from '../services-api/autostart.ts';
import { readTlsSettings, type TlsSettings } from '../tls/settings.ts';
import { readMetricsSettings, type MetricsSettings } from '../metrics/settings.ts';
import { readSpanExportSettings } from '../tracing/settings.ts';
import type { SpanExportSettings } from '../tracing/span-export.ts';
import { readSettings, SettingsError, type GatewaySettings } from './settings.ts';
import { readAcmeSettings, type AcmeSettings } from '../tls/acme/settings.ts';
import { readHttpRedirectSettings, type HttpRedirectSettings } from '../tls/redirect-settings.ts';

export interface ProcessSettings {
  /** HOST, PORT, ROUTES_FILE, DATA_DIR, ... and CORS_* (config/settings.ts). */
  gateway: GatewaySettings;
  /** JWT_*, API_KEY_CACHE_TTL_MS, AUTH_UPSTREAM, ... (auth/settings.ts; the secret: auth/jwt-secret.ts). */
  auth: AuthSettings;
  /** What reading `auth` warned about (a random or weak secret), for the logger once it exists. */
  authWarnings: string[];
  loginThrottle: LoginThrottleSettings;
  health: HealthSettings;
  autostart: AutoStartSettings;
  /** REDIS_URL: revocation bus and login-throttle counters; null without Redis. */
  redisUrl: string | null;
  /** AUTH_REVOCATION_CHANNEL; null: the bus's default. */
  revocationChannel: string | null;
  /** SERVICE_ASSERTION_JWKS: public keys of services the gateway does not run. */
  externalServiceJwks: string | undefined;
  /** TLS_CERT_FILE/TLS_KEY_FILE, TLS_CERT_DIR, TLS_MIN_VERSION, HSTS_* (tls/settings.ts, docs/https.md). */
  tls: TlsSettings;
  /** ADMIN_MAIL / ADMIN_PASSWORD, for the first-run hint of the ready line. */
  firstRun: { adminMail: string; adminPasswordSet: boolean };
  /** WORKERS and WORKER_HEARTBEAT_TIMEOUT_MS: the data-plane processes (gateway/cluster). */
  workers: WorkerSettings;
  /** ACME_* (tls/acme/settings.ts): automatic certificates; null without ACME_DOMAINS. */
  acme: AcmeSettings | null;
  /** HTTP_REDIRECT_* (tls/redirect-settings.ts): the plain-HTTP port; null without HTTP_REDIRECT_PORT. */
  httpRedirect: HttpRedirectSettings | null;
  /** METRICS_ENABLED and METRICS_PORT (metrics/settings.ts, docs/metrics.md). */
  metrics: MetricsSettings;
  /** OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME (tracing/settings.ts, docs/traces.md); null: no span export. */
  spanExport: SpanExportSettings | null;
  /**
   * The environment snapshot everything above was read from: for the readers that
   * take an env (the assertion key's files) and for what supervised children inherit.
   */
  env: Readonly<NodeJS.ProcessEnv>;
}

export interface WorkerSettings {
  /** Data-plane processes sharing the listener; default: the cores Node may use. */
  count: number;
  /** A worker that has not answered a heartbeat for this long is hung: killed and replaced. */
  heartbeatTimeoutMs: number;
}

export const WORKERS_MAX = 64;
export const WORKER_HEARTBEAT_TIMEOUT_DEFAULT_MS = 10_000;

// Whole numbers only: "2.5", "two", "0x2" and "" (set but empty) are refused, not rounded.
const wholeNumber = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, `${name} must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((value) => value >= min && value <= max, `${name} must be a whole number from ${min} to ${max}`);

const WORKER_SETTINGS = z.object({
  WORKERS: wholeNumber('WORKERS', 1, WORKERS_MAX).optional(),
  WORKER_HEARTBEAT_TIMEOUT_MS: wholeNumber('WORKER_HEARTBEAT_TIMEOUT_MS', 500, 600_000).optional(),
});

/** WORKERS (1..64, default: os.availableParallelism() capped at 64) and the heartbeat timeout. */
export function readWorkerSettings(env: NodeJS.ProcessEnv): WorkerSettings {
  const parsed = WORKER_SETTINGS.safeParse({ WORKERS: env.WORKERS?.trim() || undefined, WORKER_HEARTBEAT_TIMEOUT_MS: env.WORKER_HEARTBEAT_TIMEOUT_MS?.trim() || undefined });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    throw new SettingsError(`${issue.message} (got ${JSON.stringify(env[name])})`);
  }
  return {
    count: parsed.data.WORKERS ?? Math.min(WORKERS_MAX, availableParallelism()),
    heartbeatTimeoutMs: parsed.data.WORKER_HEARTBEAT_TIMEOUT_MS ?? WORKER_HEARTBEAT_TIMEOUT_DEFAULT_MS,
  };
}

const optionalText = z.string().optional();
const WIRED = z.object({
  REDIS_URL: optionalText.transform((value) => value || null),
  AUTH_REVOCATION_CHANNEL: optionalText.transform((value) => value || null),
  SERVICE_ASSERTION_JWKS: optionalText,
  ADMIN_MAIL: optionalText.transform((value) => value || 'admin@fullon'),
  ADMIN_PASSWORD: optionalText.transform((value) => Boolean(value)),
});

/** Reads and validates every setting; throws SettingsError with a one-line message. */
export function readProcessSettings(source: NodeJS.ProcessEnv = process.env): ProcessSettings {
  const env = Object.freeze({ ...source });
  const authWarnings: string[] = [];
  const wired = WIRED.safeParse({
    REDIS_URL: env.REDIS_URL,
    AUTH_REVOCATION_CHANNEL: env.AUTH_REVOCATION_CHANNEL,
    SERVICE_ASSERTION_JWKS: env.SERVICE_ASSERTION_JWKS,
    ADMIN_MAIL: env.ADMIN_MAIL,
    ADMIN_PASSWORD: env.ADMIN_PASSWORD,
  });
  if (!wired.success) throw new SettingsError(firstIssueLine(wired.error));
  const gateway = readSettings(env);
  const acme = asSettingsError(() => readAcmeSettings(env));
  const tls = asSettingsError(() => readTlsSettings(env, { dataDir: gateway.dataDir, reloadDebounceMs: gateway.reloadDebounceMs }));
  return {
    gateway,
    auth: asSettingsError(() => loadAuthSettings({ env, warn: (message) => authWarnings.push(message) })),
    authWarnings,
    loginThrottle: asSettingsError(() => loadLoginThrottleSettings(env)),
    health: asSettingsError(() => loadHealthSettings(env)),
    autostart: asSettingsError(() => loadAutoStartSettings(env)),
    tls,
    redisUrl: wired.data.REDIS_URL,
    revocationChannel: wired.data.AUTH_REVOCATION_CHANNEL,
    externalServiceJwks: wired.data.SERVICE_ASSERTION_JWKS,
    firstRun: { adminMail: wired.data.ADMIN_MAIL, adminPasswordSet: wired.data.ADMIN_PASSWORD },
    workers: readWorkerSettings(env),
    acme,
    httpRedirect: asSettingsError(() => readHttpRedirectSettings(env, { host: gateway.host, acmeDomains: acme?.domains ?? [], tlsEnabled: tls.enabled })),
    metrics: readMetricsSettings(env),
    spanExport: readSpanExportSettings(env),
    env,
  };
}

function asSettingsError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    // AuthSettingsError, HealthSettingsError, AutoStartSettingsError, the login
    // throttle's plain Error: each says which variable is bad and why.
    if (error instanceof Error) throw new SettingsError(error.message);
    throw error;
  }
}
