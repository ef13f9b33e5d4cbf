// The orm upstream's settings, read once from the environment into one defaults
// object (pino's defaultOptions style) so every knob has a single source of truth.
export interface OrmSettings {
  databaseUrl: string | undefined;
  dataDir: string;
  adminMail: string;
  adminPassword: string | undefined;
  /** Raw EXCHANGE_SECRET_KEY; undefined means a key generated once under DATA_DIR (exchange-key.ts). */
  exchangeSecretKey: string | undefined;
  bcryptRounds: number;
  /** last_used_at of an API key is written at most this often, to keep verification cheap. */
  apiKeyTouchIntervalMs: number;
}

export const ORM_DEFAULTS = {
  dataDir: './data',
  adminMail: 'admin@fullon',
  bcryptRounds: 12,
  apiKeyTouchIntervalMs: 10_000,
} as const;

export function readOrmSettings(env: NodeJS.ProcessEnv = process.env): OrmSettings {
  const rounds = Number(env.BCRYPT_ROUNDS ?? ORM_DEFAULTS.bcryptRounds);
  if (!Number.isInteger(rounds) || rounds < 4 || rounds > 20) throw new Error(`BCRYPT_ROUNDS must be an integer 4..20, got ${env.BCRYPT_ROUNDS}`);
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATA_DIR || ORM_DEFAULTS.dataDir,
    adminMail: (env.ADMIN_MAIL || ORM_DEFAULTS.adminMail).trim().toLowerCase(),
    adminPassword: env.ADMIN_PASSWORD || undefined,
    exchangeSecretKey: env.EXCHANGE_SECRET_KEY || undefined,
    bcryptRounds: rounds,
    apiKeyTouchIntervalMs: ORM_DEFAULTS.apiKeyTouchIntervalMs,
  };
}
