// The gateway's static settings (environment, read once at start; Traefik's
// "static config"). routes.yaml is the hot-reloaded part. Defaults in one object.
import { BlockList, isIP } from 'node:net';
import { CorsSettingsError, readCorsSettings, type CorsSettings } from '../cors/settings.ts';

export const SETTINGS_DEFAULTS = {
  HOST: '127.0.0.1',
  PORT: '8000',
  ROUTES_FILE: './routes.yaml',
  DATA_DIR: './data',
  LOG_LEVEL: 'info',
  /** Peers whose X-Forwarded-* headers are trusted (CIDR list, comma separated). */
  TRUSTED_PROXIES: '',
  /** In-flight requests get this long to finish on SIGTERM. */
  SHUTDOWN_GRACE_MS: '10000',
  /** Request line + headers larger than this → 431. */
  MAX_HEADER_BYTES: '16384',
  /** Time for a client to send the request headers (slowloris guard) → 408. */
  HEADERS_TIMEOUT_MS: '10000',
  /** Time for a client to send the whole request, body included → 408. */
  REQUEST_TIMEOUT_MS: '60000',
  /** Idle keep-alive connections from clients are closed after this. */
  KEEP_ALIVE_TIMEOUT_MS: '5000',
  /** HTTPS only: a TLS handshake (or the first byte of one) must finish within this. */
  TLS_HANDSHAKE_TIMEOUT_MS: '10000',
  /** Debounce of routes.yaml file-change events. */
  RELOAD_DEBOUNCE_MS: '150',
  /** Body limit for the gateway's own endpoints (login, services API). */
  LOCAL_BODY_LIMIT: '1mb',
  /** "false" turns the per-request access line off (benchmarks). */
  ACCESS_LOG: 'true',
  /** Open log streams (GET /api/v1/services/{name}/logs/stream) per worker; more → 503. */
  LOG_STREAMS_MAX: '64',
} as const;

export interface GatewaySettings {
  host: string;
  port: number;
  routesFile: string;
  dataDir: string;
  logLevel: string;
  trustedProxies: BlockList;
  trustedProxiesText: string;
  shutdownGraceMs: number;
  maxHeaderBytes: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  tlsHandshakeTimeoutMs: number;
  reloadDebounceMs: number;
  localBodyLimitBytes: number;
  accessLog: boolean;
  /** LOG_STREAMS_MAX: open log streams per worker (0: none; the console then polls). */
  logStreamsMax: number;
  /** CORS_* (gateway/cors/settings.ts): the original's names and defaults. */
  cors: CorsSettings;
}

export class SettingsError extends Error {
  readonly code = 'SETTINGS_INVALID';
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): GatewaySettings {
  const get = (key: keyof typeof SETTINGS_DEFAULTS) => {
    const value = env[key];
    return value === undefined || value === '' ? SETTINGS_DEFAULTS[key] : value;
  };
  const int = (key: keyof typeof SETTINGS_DEFAULTS) => {
    const value = Number(get(key));
    if (!Number.isInteger(value) || value < 0) throw new SettingsError(`${key} must be a non-negative integer, got "${get(key)}"`);
    return value;
  };
  const limit = /^(\d+)(kb|mb)?$/i.exec(get('LOCAL_BODY_LIMIT'));
  if (!limit) throw new SettingsError(`LOCAL_BODY_LIMIT must be bytes, "64kb" or "1mb"`);
  const scale = { kb: 1024, mb: 1024 * 1024 }[(limit[2] ?? '').toLowerCase() as 'kb' | 'mb'] ?? 1;
  return {
    host: get('HOST'),
    port: int('PORT'),
    routesFile: get('ROUTES_FILE'),
    dataDir: get('DATA_DIR'),
    logLevel: get('LOG_LEVEL'),
    trustedProxies: parseTrustedProxies(get('TRUSTED_PROXIES')),
    trustedProxiesText: get('TRUSTED_PROXIES'),
    shutdownGraceMs: int('SHUTDOWN_GRACE_MS'),
    maxHeaderBytes: int('MAX_HEADER_BYTES'),
    headersTimeoutMs: int('HEADERS_TIMEOUT_MS'),
    requestTimeoutMs: int('REQUEST_TIMEOUT_MS'),
    keepAliveTimeoutMs: int('KEEP_ALIVE_TIMEOUT_MS'),
    tlsHandshakeTimeoutMs: int('TLS_HANDSHAKE_TIMEOUT_MS'),
    reloadDebounceMs: int('RELOAD_DEBOUNCE_MS'),
    localBodyLimitBytes: Number(limit[1]) * scale,
    accessLog: get('ACCESS_LOG') !== 'false',
    logStreamsMax: int('LOG_STREAMS_MAX'),
    cors: readCors(env),
  };
}

function readCors(env: NodeJS.ProcessEnv): CorsSettings {
  try {
    return readCorsSettings(env);
  } catch (error) {
    if (error instanceof CorsSettingsError) throw new SettingsError(error.message);
    throw error;
  }
}

/** "10.0.0.0/8, 127.0.0.1, ::1" → BlockList; throws SettingsError on a bad entry. */
export function parseTrustedProxies(text: string): BlockList {
  const list = new BlockList();
  for (const entry of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [address = '', bits] = entry.split('/');
    const family = isIP(address);
    if (family === 0) throw new SettingsError(`TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) throw new SettingsError(`TRUSTED_PROXIES: bad prefix length in "${entry}"`);
      list.addSubnet(address, prefix, type);
    }
  }
  return list;
}
