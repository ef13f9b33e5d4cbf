// Where the test suite finds Postgres and Redis. Postgres: the machine's server,
// databases created and dropped by name (TEST_PG_ADMIN_URL overrides). Redis: the
// private server global-setup starts for this run (or TEST_REDIS_URL), whose URL
// reaches the workers as FULLON_TEST_REDIS_URL. Never db 0.
export const ADMIN_PG_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function redisTestUrl(): string {
  const url = process.env.FULLON_TEST_REDIS_URL;
  if (!url) throw new Error('FULLON_TEST_REDIS_URL is unset: run the tests through vitest (global-setup starts their Redis)');
  return url;
}

/** Redis has 16 dbs; 0 is left alone even on the run's own server, 1..15 go to test workers. */
export const redisDbCount = () => 15;
