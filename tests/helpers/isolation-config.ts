// Where the test suite finds the machine's Postgres and Redis (never db 0).
export const ADMIN_PG_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_TEST_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Redis has 16 dbs; 0 belongs to whoever else uses this Redis, 1..15 to test workers. */
export const redisDbCount = () => 15;
