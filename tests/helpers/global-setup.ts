// Runs once per `vitest run`: gives the run an id (databases are named after it),
// starts the run's own Redis (tests/helpers/test-redis.ts) and, at the end, drops
// every Postgres database this run's workers created and stops that Redis. Data
// the run did not create is never touched: a TEST_REDIS_URL given explicitly is a
// Redis named for tests, and only its dbs 1..15 are flushed.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { ADMIN_PG_URL, redisDbCount } from './isolation-config.ts';
import { startTestRedis } from './test-redis.ts';

export async function setup(): Promise<() => Promise<void>> {
  process.env.FULLON_TEST_RUN_ID ??= randomBytes(4).toString('hex');
  const runId = process.env.FULLON_TEST_RUN_ID;
  // Children that tests spawn inherit the environment: never the caller's real stores.
  for (const name of ['REDIS_URL', 'DATABASE_URL', 'OHLCV_DATABASE_URL']) delete process.env[name];
  // Nor a developer's .env (the gateway reads ./.env unless ENV_FILE is empty),
  // nor ./data: a process a test starts without DATA_DIR writes under the run's own.
  process.env.ENV_FILE = '';
  // One data-plane worker unless a test asks for more (tests/integration/workers):
  // what most tests need, and the cheapest on a shared machine.
  process.env.WORKERS = '1';
  const dataDir = mkdtempSync(join(tmpdir(), `fullon-test-${runId}-`));
  process.env.DATA_DIR = dataDir;
  const redis = await startTestRedis();
  process.env.FULLON_TEST_REDIS_URL = redis.url;
  return async () => {
    await dropRunDatabases(runId).catch((error) => console.error('could not drop test databases', error));
    if (!redis.owned) await flushRedisDbs(redis.url).catch(() => {});
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}

async function dropRunDatabases(runId: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`fmt\\_${runId}\\_%`]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

async function flushRedisDbs(url: string): Promise<void> {
  for (let db = 1; db <= redisDbCount(); db++) {
    const redis = new Redis(url, { db, lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    await redis.flushdb();
    redis.disconnect();
  }
}
