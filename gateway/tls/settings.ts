// HTTPS settings (docs/https.md): where the certificates are, the lowest TLS
// version, and HSTS. Parsing only; the certificate store reads the files.
// TLS is on when any certificate source is set: TLS_CERT_FILE + TLS_KEY_FILE,
// TLS_CERT_DIR, or ACME_DOMAINS (whose issued pairs live under DATA_DIR).
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { firstIssueLine } from '../config/first-issue.ts';

/** TLS 1.0 and 1.1 are deprecated (RFC 8996): the lowest accepted is 1.2. */
export const TLS_MIN_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;
export type TlsMinVersion = (typeof TLS_MIN_VERSIONS)[number];

export const TLS_DEFAULTS = {
  TLS_MIN_VERSION: 'TLSv1.2',
  /** 0: no Strict-Transport-Security header (HSTS is sticky in browsers, so it is opt-in). */
  HSTS_MAX_AGE: '0',
  HSTS_INCLUDE_SUBDOMAINS: 'false',
} as const;

export interface HstsSettings {
  maxAgeS: number;
  includeSubDomains: boolean;
}

export interface TlsSettings {
  /** Any certificate source set: the listener speaks HTTPS. */
  enabled: boolean;
  /** TLS_CERT_FILE / TLS_KEY_FILE (absolute): the default pair, served without SNI or when no SAN matches. */
  certFile: string | null;
  keyFile: string | null;
  /** TLS_CERT_DIR (absolute): a directory of pairs chosen by SNI. */
  certDir: string | null;
  /** DATA_DIR/acme/certs (absolute) when ACME_DOMAINS is set: pairs the ACME client writes. */
  acmeCertDir: string | null;
  minVersion: TlsMinVersion;
  /** null: no HSTS header. */
  hsts: HstsSettings | null;
  /** DATA_DIR/tls/session-ticket.keys (absolute): session ticket keys every worker shares (ticket-keys.ts). */
  ticketKeyFile: string;
  /** Debounce of certificate file events (RELOAD_DEBOUNCE_MS, shared with routes.yaml). */
  reloadDebounceMs: number;
}

export class TlsSettingsError extends Error {
  readonly code = 'SETTINGS_INVALID';
}

const text = z.string().trim().optional().transform((value) => value || null);
const TLS_ENV = z.object({
  TLS_CERT_FILE: text,
  TLS_KEY_FILE: text,
  TLS_CERT_DIR: text,
  ACME_DOMAINS: text,
  TLS_MIN_VERSION: text.transform((value, ctx) => {
    const version = value ?? TLS_DEFAULTS.TLS_MIN_VERSION;
    const match = TLS_MIN_VERSIONS.find((known) => known.toLowerCase() === version.toLowerCase());
    if (match) return match;
    const old = /^TLSv1(\.[01])?$/i.test(version);
    ctx.addIssue({
      code: 'custom',
      message: old ? `${version} is refused (TLS 1.0 and 1.1 are deprecated, RFC 8996); use TLSv1.2 or TLSv1.3` : `must be TLSv1.2 or TLSv1.3, got "${version}"`,
    });
    return z.NEVER;
  }),
  HSTS_MAX_AGE: text.transform((value, ctx) => {
    const seconds = Number(value ?? TLS_DEFAULTS.HSTS_MAX_AGE);
    if (Number.isInteger(seconds) && seconds >= 0) return seconds;
    ctx.addIssue({ code: 'custom', message: `must be a whole number of seconds (0 = off), got "${value}"` });
    return z.NEVER;
  }),
  HSTS_INCLUDE_SUBDOMAINS: text.transform((value, ctx) => {
    const flag = (value ?? TLS_DEFAULTS.HSTS_INCLUDE_SUBDOMAINS).toLowerCase();
    if (flag === 'true' || flag === 'false') return flag === 'true';
    ctx.addIssue({ code: 'custom', message: `must be true or false, got "${value}"` });
    return z.NEVER;
  }),
});

export interface TlsSettingsContext {
  /** DATA_DIR, already read by config/settings.ts. */
  dataDir: string;
  /** RELOAD_DEBOUNCE_MS, already read by config/settings.ts. */
  reloadDebounceMs: number;
}

/** Reads the HTTPS variables; throws TlsSettingsError with one line naming the variable. */
export function readTlsSettings(env: NodeJS.ProcessEnv, context: TlsSettingsContext): TlsSettings {
  const parsed = TLS_ENV.safeParse({
    TLS_CERT_FILE: env.TLS_CERT_FILE,
    TLS_KEY_FILE: env.TLS_KEY_FILE,
    TLS_CERT_DIR: env.TLS_CERT_DIR,
    ACME_DOMAINS: env.ACME_DOMAINS,
    TLS_MIN_VERSION: env.TLS_MIN_VERSION,
    HSTS_MAX_AGE: env.HSTS_MAX_AGE,
    HSTS_INCLUDE_SUBDOMAINS: env.HSTS_INCLUDE_SUBDOMAINS,
  });
  if (!parsed.success) throw new TlsSettingsError(firstIssueLine(parsed.error));
  const values = parsed.data;
  // One of the pair alone is a typo or a forgotten line, never a working setup.
  if ((values.TLS_CERT_FILE === null) !== (values.TLS_KEY_FILE === null)) {
    const [set, missing] = values.TLS_CERT_FILE ? ['TLS_CERT_FILE', 'TLS_KEY_FILE'] : ['TLS_KEY_FILE', 'TLS_CERT_FILE'];
    throw new TlsSettingsError(`${set} is set but ${missing} is not: set both (PEM certificate and its private key) or neither`);
  }
  const acmeCertDir = values.ACME_DOMAINS ? resolve(join(context.dataDir, 'acme', 'certs')) : null;
  const enabled = values.TLS_CERT_FILE !== null || values.TLS_CERT_DIR !== null || acmeCertDir !== null;
  // Browsers ignore the header over plain HTTP (RFC 6797 §8.1), so asking for it
  // without TLS is a misunderstanding worth stopping for.
  if (values.HSTS_MAX_AGE > 0 && !enabled) {
    throw new TlsSettingsError('HSTS_MAX_AGE needs HTTPS: set TLS_CERT_FILE and TLS_KEY_FILE, TLS_CERT_DIR or ACME_DOMAINS (or HSTS_MAX_AGE=0)');
  }
  return {
    enabled,
    certFile: values.TLS_CERT_FILE && resolve(values.TLS_CERT_FILE),
    keyFile: values.TLS_KEY_FILE && resolve(values.TLS_KEY_FILE),
    certDir: values.TLS_CERT_DIR && resolve(values.TLS_CERT_DIR),
    acmeCertDir,
    minVersion: values.TLS_MIN_VERSION,
    hsts: values.HSTS_MAX_AGE > 0 ? { maxAgeS: values.HSTS_MAX_AGE, includeSubDomains: values.HSTS_INCLUDE_SUBDOMAINS } : null,
    ticketKeyFile: resolve(join(context.dataDir, 'tls', 'session-ticket.keys')),
    reloadDebounceMs: context.reloadDebounceMs,
  };
}
