// Auth settings: every env variable the edge's auth reads, in one defaults object,
// validated once at start-up so a bad secret or key file stops the gateway before
// it listens (never per request).
import { readFileSync } from 'node:fs';
import { JwtSecretError, resolveJwtSecret } from './jwt-secret.ts';

/** Signing algorithms the gateway can issue tokens with. */
export type LocalAlgorithm = 'HS256' | 'EdDSA' | 'ES256' | 'RS256';
const LOCAL_ALGORITHMS: readonly LocalAlgorithm[] = ['HS256', 'EdDSA', 'ES256', 'RS256'];
/** Algorithms an external issuer may use: asymmetric only (a JWKS never carries an HMAC secret). */
const EXTERNAL_ALGORITHMS = ['EdDSA', 'ES256', 'ES384', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];


export interface ExternalIssuer {
  issuer: string;
  jwksUrl: URL;
  audience: string | string[];
  algorithms: string[];
}

export interface AuthSettings {
  secretKey: string;
  expirationMinutes: number;
  algorithm: LocalAlgorithm;
  /** PEM text (not paths) of the asymmetric pair; null for HS256. */
  privateKeyPem: string | null;
  publicKeyPem: string | null;
  issuer: string;
  audience: string;
  externalIssuers: ExternalIssuer[];
  adminMail: string;
  /** How long a checked API key (good or bad) is trusted; ≤ 5 s by contract. */
  apiKeyCacheTtlMs: number;
  /** Bad keys are cached shorter (never longer than apiKeyCacheTtlMs). */
  apiKeyNegativeTtlMs: number;
  apiKeyCacheMax: number;
  tokenCacheMax: number;
  /** Upstream name asked for credentials and keys. */
  authUpstream: string;
  /** Accepted clock difference when checking exp/nbf/iat. */
  clockSkewS: number;
  /** Longest token accepted at all; longer ones are refused unparsed. */
  maxTokenLength: number;
  loginBodyLimitBytes: number;
  ormTimeoutMs: number;
}

/** The defaults; every env variable overrides one field. */
export const AUTH_DEFAULTS = {
  expirationMinutes: 60,
  algorithm: 'HS256' as LocalAlgorithm,
  issuer: 'fullon-master-api',
  audience: 'fullon',
  adminMail: 'admin@fullon',
  apiKeyCacheTtlMs: 4_000,
  apiKeyNegativeTtlMs: 1_000,
  apiKeyCacheMax: 10_000,
  tokenCacheMax: 10_000,
  authUpstream: 'orm_api',
  clockSkewS: 60,
  maxTokenLength: 8_192,
  loginBodyLimitBytes: 16 * 1024,
  ormTimeoutMs: 5_000,
} as const;

/** API-key cache TTL ceiling: deactivation/expiry must be honoured within 5 s. */
export const API_KEY_TTL_CEILING_MS = 5_000;

export class AuthSettingsError extends Error {
  readonly code = 'AUTH_SETTINGS_INVALID';
}

export interface LoadAuthSettingsOptions {
  env?: NodeJS.ProcessEnv;
  /** Where non-fatal problems go (the example secret outside production). */
  warn?: (message: string) => void;
}

export function loadAuthSettings(options: LoadAuthSettingsOptions = {}): AuthSettings {
  const env = options.env ?? process.env;
  const warn = options.warn ?? ((message: string) => process.emitWarning(message, 'FullonAuthWarning'));
  const algorithm = (env.JWT_ALGORITHM?.trim() || AUTH_DEFAULTS.algorithm) as LocalAlgorithm;
  if (!LOCAL_ALGORITHMS.includes(algorithm)) {
    throw new AuthSettingsError(`JWT_ALGORITHM must be one of ${LOCAL_ALGORITHMS.join(', ')} (got "${algorithm}")`);
  }

  // With a key pair the secret signs nothing (it only verifies fullon-format tokens;
  // assertions have their own Ed25519 key), so it is not checked.
  const secretKey = resolveJwtSecretOrThrow(env, warn, algorithm === 'HS256');

  let privateKeyPem: string | null = null;
  let publicKeyPem: string | null = null;
  if (algorithm !== 'HS256') {
    if (!env.JWT_PRIVATE_KEY_FILE) throw new AuthSettingsError(`JWT_ALGORITHM=${algorithm} needs JWT_PRIVATE_KEY_FILE (PKCS#8 PEM)`);
    privateKeyPem = readPem(env.JWT_PRIVATE_KEY_FILE, 'JWT_PRIVATE_KEY_FILE');
    publicKeyPem = env.JWT_PUBLIC_KEY_FILE ? readPem(env.JWT_PUBLIC_KEY_FILE, 'JWT_PUBLIC_KEY_FILE') : null;
  }

  const apiKeyCacheTtlMs = readInt(env, 'API_KEY_CACHE_TTL_MS', AUTH_DEFAULTS.apiKeyCacheTtlMs, 0, API_KEY_TTL_CEILING_MS);
  return {
    secretKey,
    expirationMinutes: readInt(env, 'JWT_EXPIRATION_MINUTES', AUTH_DEFAULTS.expirationMinutes, 1, 60 * 24 * 30),
    algorithm,
    privateKeyPem,
    publicKeyPem,
    issuer: env.JWT_ISSUER?.trim() || AUTH_DEFAULTS.issuer,
    audience: env.JWT_AUDIENCE?.trim() || AUTH_DEFAULTS.audience,
    externalIssuers: parseExternalIssuers(env.JWT_EXTERNAL_ISSUERS),
    adminMail: (env.ADMIN_MAIL?.trim() || AUTH_DEFAULTS.adminMail).toLowerCase(),
    apiKeyCacheTtlMs,
    apiKeyNegativeTtlMs: Math.min(AUTH_DEFAULTS.apiKeyNegativeTtlMs, apiKeyCacheTtlMs),
    apiKeyCacheMax: AUTH_DEFAULTS.apiKeyCacheMax,
    tokenCacheMax: AUTH_DEFAULTS.tokenCacheMax,
    authUpstream: env.AUTH_UPSTREAM?.trim() || AUTH_DEFAULTS.authUpstream,
    clockSkewS: AUTH_DEFAULTS.clockSkewS,
    maxTokenLength: AUTH_DEFAULTS.maxTokenLength,
    loginBodyLimitBytes: AUTH_DEFAULTS.loginBodyLimitBytes,
    ormTimeoutMs: AUTH_DEFAULTS.ormTimeoutMs,
  };
}

function resolveJwtSecretOrThrow(env: NodeJS.ProcessEnv, warn: (message: string) => void, check: boolean): string {
  try {
    return resolveJwtSecret(env, warn, { check }).value;
  } catch (error) {
    if (error instanceof JwtSecretError) throw new AuthSettingsError(error.message);
    throw error;
  }
}

function readPem(path: string, variable: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AuthSettingsError(`${variable}: cannot read ${path} (${(error as Error).message})`);
  }
  if (!text.includes('-----BEGIN')) throw new AuthSettingsError(`${variable}: ${path} is not a PEM file`);
  return text;
}

function readInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new AuthSettingsError(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  }
  return value;
}

/** JWT_EXTERNAL_ISSUERS: JSON [{issuer, jwks_url, audience, algorithms}]. */
export function parseExternalIssuers(raw: string | undefined): ExternalIssuer[] {
  if (!raw || raw.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new AuthSettingsError('JWT_EXTERNAL_ISSUERS must be JSON: [{"issuer", "jwks_url", "audience", "algorithms"}]');
  }
  if (!Array.isArray(parsed)) throw new AuthSettingsError('JWT_EXTERNAL_ISSUERS must be a JSON array');
  return parsed.map((entry: unknown, index) => {
    const item = (entry ?? {}) as Record<string, unknown>;
    const where = `JWT_EXTERNAL_ISSUERS[${index}]`;
    if (typeof item.issuer !== 'string' || item.issuer === '') throw new AuthSettingsError(`${where}.issuer is required`);
    let jwksUrl: URL;
    try {
      jwksUrl = new URL(String(item.jwks_url));
    } catch {
      throw new AuthSettingsError(`${where}.jwks_url must be a URL`);
    }
    if (jwksUrl.protocol !== 'https:' && jwksUrl.protocol !== 'http:') throw new AuthSettingsError(`${where}.jwks_url must be http(s)`);
    const audience = item.audience;
    const audienceOk = typeof audience === 'string' ? audience !== '' : Array.isArray(audience) && audience.length > 0 && audience.every((a) => typeof a === 'string');
    if (!audienceOk) throw new AuthSettingsError(`${where}.audience is required (string or string[])`);
    const algorithms = item.algorithms === undefined ? ['RS256', 'ES256', 'EdDSA'] : item.algorithms;
    if (!Array.isArray(algorithms) || algorithms.length === 0 || !algorithms.every((a) => typeof a === 'string' && EXTERNAL_ALGORITHMS.includes(a))) {
      throw new AuthSettingsError(`${where}.algorithms must be a non-empty subset of ${EXTERNAL_ALGORITHMS.join(', ')}`);
    }
    return { issuer: item.issuer, jwksUrl, audience: audience as string | string[], algorithms: algorithms as string[] };
  });
}
