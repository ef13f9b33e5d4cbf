// Settings of the collector processes (ticker, ohlcv, account), from the
// environment the supervisor gives them (routes.yaml `services:` env plus the
// discovery variables UPSTREAM_<NAME>_URL; the service identity is read by
// common/service-assertion.ts).

export type CollectorKind = 'ticker' | 'ohlcv' | 'account';
export const COLLECTOR_KINDS: readonly CollectorKind[] = ['ticker', 'ohlcv', 'account'];

export interface CollectorSettings {
  kind: CollectorKind;
  ormUrl: string | null;
  cacheUrl: string | null;
  ohlcvUrl: string | null;
  /** Exchange id → base URL replacing the exchange's own REST host (EXCHANGE_URLS). */
  exchangeUrls: Record<string, string>;
  /** How often the follow list is asked again from the orm. */
  refreshMs: number;
  tickerPollMs: number;
  ohlcvPollMs: number;
  /** Backfill start when nothing is stored yet; null = each symbol's `backtest` days. */
  ohlcvStart: number | null;
  accountMinMs: number;
  accountMaxMs: number;
  /** Exponential backoff on exchange errors. */
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Timeout of one exchange request (ccxt `timeout`). */
  exchangeTimeoutMs: number;
  /** Use ccxt's built-in watch* WebSocket methods where the exchange has them (COLLECTOR_USE_WEBSOCKET). */
  useWebsocket: boolean;
}

export class CollectorSettingsError extends Error {}

export function loadCollectorSettings(kind: string | undefined, env: NodeJS.ProcessEnv = process.env): CollectorSettings {
  if (!COLLECTOR_KINDS.includes(kind as CollectorKind)) throw new CollectorSettingsError(`collector kind must be one of ${COLLECTOR_KINDS.join(', ')} (got "${kind ?? ''}")`);
  return {
    kind: kind as CollectorKind,
    ormUrl: env.UPSTREAM_ORM_API_URL || null,
    cacheUrl: env.UPSTREAM_CACHE_API_URL || null,
    ohlcvUrl: env.UPSTREAM_OHLCV_API_URL || null,
    exchangeUrls: parseExchangeUrls(env.EXCHANGE_URLS),
    refreshMs: int(env, 'COLLECTOR_REFRESH_MS', 30_000, 100, 3_600_000),
    tickerPollMs: int(env, 'TICKER_POLL_INTERVAL_MS', 1_000, 10, 600_000),
    ohlcvPollMs: int(env, 'OHLCV_POLL_INTERVAL_MS', 5_000, 10, 600_000),
    ohlcvStart: parseStart(env.OHLCV_COLLECT_START),
    accountMinMs: int(env, 'ACCOUNT_POLL_MIN_MS', 2_000, 10, 3_600_000),
    accountMaxMs: int(env, 'ACCOUNT_POLL_MAX_MS', 60_000, 10, 3_600_000),
    backoffInitialMs: int(env, 'COLLECTOR_BACKOFF_INITIAL_MS', 1_000, 1, 3_600_000),
    backoffMaxMs: int(env, 'COLLECTOR_BACKOFF_MAX_MS', 60_000, 1, 3_600_000),
    exchangeTimeoutMs: int(env, 'EXCHANGE_TIMEOUT_MS', 10_000, 100, 120_000),
    useWebsocket: bool(env, 'COLLECTOR_USE_WEBSOCKET', true),
  };
}

/** `{"kraken": "http://127.0.0.1:9000"}`; only http(s) URLs, exchange ids as ccxt spells them. */
export function parseExchangeUrls(raw: string | undefined): Record<string, string> {
  if (!raw || !raw.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new CollectorSettingsError('EXCHANGE_URLS must be a JSON object of exchange id → base URL');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CollectorSettingsError('EXCHANGE_URLS must be a JSON object of exchange id → base URL');
  const urls: Record<string, string> = {};
  for (const [id, url] of Object.entries(parsed)) {
    if (!/^[a-z0-9_]{1,40}$/.test(id)) throw new CollectorSettingsError(`EXCHANGE_URLS: "${id}" is not an exchange id`);
    if (typeof url !== 'string' || !/^https?:\/\/[^\s]+$/.test(url)) throw new CollectorSettingsError(`EXCHANGE_URLS.${id} must be an http(s) URL`);
    urls[id] = url.replace(/\/+$/, '');
  }
  return urls;
}

function parseStart(raw: string | undefined): number | null {
  if (!raw || !raw.trim()) return null;
  const ms = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Date.parse(raw.trim());
  if (!Number.isFinite(ms)) throw new CollectorSettingsError(`OHLCV_COLLECT_START must be an ISO 8601 date or epoch milliseconds (got "${raw}")`);
  return Math.floor(ms / 60_000) * 60_000;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new CollectorSettingsError(`${name} must be true or false (got "${env[name]}")`);
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new CollectorSettingsError(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  return value;
}
