// The original fullon settings names, as fallbacks for this project's own: a
// fullon user's .env (DB_HOST, DB_NAME, REDIS_HOST... or fullon_cache's
// CACHE_HOST/CACHE_PORT/CACHE_DB) works unchanged. This is the one place the
// URLs are built: main.ts applies it to the environment before routes.yaml is
// read, so ${DATABASE_URL} & co. reach the supervised children already built.
// This project's own name always wins when it is set and not empty.

export interface AppliedFallback {
  /** The variable that was set (DATABASE_URL, OHLCV_DATABASE_URL, REDIS_URL). */
  name: string;
  /** The original's variables it was built from (names only: values may hold passwords). */
  from: string[];
}

/** Unset, empty, or the literal None that fullon's .env.example wrote for "no value". */
function read(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' || value === 'None' ? undefined : value;
}

function isPort(value: string): boolean {
  return /^\d{1,5}$/.test(value) && Number(value) > 0 && Number(value) < 65_536;
}

export class FullonEnvError extends Error {
  readonly code = 'SETTINGS_INVALID';
}

/** Sets DATABASE_URL, OHLCV_DATABASE_URL and REDIS_URL from the original's names where ours are unset; returns what it set. */
export function applyFullonEnvFallbacks(env: NodeJS.ProcessEnv = process.env): AppliedFallback[] {
  const applied: AppliedFallback[] = [];
  const dbNames = ['DB_HOST', 'DB_PORT', 'DB_USER', 'DB_PASSWORD', 'DB_NAME'].filter((name) => read(env, name) !== undefined);
  const postgres = (database: string) => {
    const host = read(env, 'DB_HOST') ?? 'localhost';
    const port = read(env, 'DB_PORT') ?? '5432';
    if (!isPort(port)) throw new FullonEnvError(`DB_PORT must be a port number, got "${port}"`);
    const user = read(env, 'DB_USER');
    const password = read(env, 'DB_PASSWORD');
    const auth = user ? `${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ''}@` : '';
    return `postgresql://${auth}${hostPart(host)}:${port}/${encodeURIComponent(database)}`;
  };
  const database = read(env, 'DB_NAME');
  if (!read(env, 'DATABASE_URL') && database) {
    env.DATABASE_URL = postgres(database);
    applied.push({ name: 'DATABASE_URL', from: dbNames });
  }
  // fullon kept candles in DB_OHLCV_NAME (often the same database as DB_NAME; the
  // ohlcv tables and migration ledger are named apart, so sharing one is safe).
  const ohlcvDatabase = read(env, 'DB_OHLCV_NAME') ?? database;
  if (!read(env, 'OHLCV_DATABASE_URL') && ohlcvDatabase) {
    env.OHLCV_DATABASE_URL = postgres(ohlcvDatabase);
    const nameFrom = read(env, 'DB_OHLCV_NAME') ? 'DB_OHLCV_NAME' : 'DB_NAME';
    applied.push({ name: 'OHLCV_DATABASE_URL', from: [...dbNames.filter((name) => name !== 'DB_NAME'), nameFrom] });
  }
  if (!read(env, 'REDIS_URL')) {
    // fullon_cache's own names (CACHE_*) after the REDIS_* ones the services documented.
    const family = ['REDIS', 'CACHE'].find((prefix) => read(env, `${prefix}_HOST`) !== undefined);
    if (family) {
      const host = read(env, `${family}_HOST`)!;
      const port = read(env, `${family}_PORT`) ?? '6379';
      const db = read(env, `${family}_DB`) ?? '0';
      if (!isPort(port)) throw new FullonEnvError(`${family}_PORT must be a port number, got "${port}"`);
      if (!/^\d{1,2}$/.test(db)) throw new FullonEnvError(`${family}_DB must be a database number, got "${db}"`);
      const password = read(env, `${family}_PASSWORD`);
      const user = read(env, `${family}_USER`);
      const auth = password ? `${user ? encodeURIComponent(user) : ''}:${encodeURIComponent(password)}@` : '';
      env.REDIS_URL = `redis://${auth}${hostPart(host)}:${port}/${db}`;
      applied.push({ name: 'REDIS_URL', from: ['HOST', 'PORT', 'DB', 'USER', 'PASSWORD'].map((s) => `${family}_${s}`).filter((name) => read(env, name) !== undefined) });
    }
  }
  return applied;
}

/** An IPv6 literal needs brackets in a URL; anything that could break out of the host is refused. */
function hostPart(host: string): string {
  if (/^[A-Za-z0-9.-]+$/.test(host)) return host;
  if (/^[0-9A-Fa-f:]+$/.test(host) && host.includes(':')) return `[${host}]`;
  throw new FullonEnvError(`not a host name or address: "${host}"`);
}
