// Runs once per `vitest run`: gives the run an id (databases are named after it)
// and, at the end, drops every Postgres database and flushes every Redis db the
// workers of this run created, so nothing is left behind.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { ADMIN_PG_URL, REDIS_TEST_URL, redisDbCount } from './isolation-config.ts';

export function setup(): () => Promise<void> {
  process.env.FULLON_TEST_RUN_ID ??= randomBytes(4).toString('hex');
  const runId = process.env.FULLON_TEST_RUN_ID;
  return async () => {
    await dropRunDatabases(runId).catch((error) => console.error('could not drop test databases', error));
    await flushRedisDbs().catch(() => {});
  };
}

async function dropRunDatabases(runId: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`fmt_${runId}_%`]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

async function flushRedisDbs(): Promise<void> {
  for (let db = 1; db <= redisDbCount(); db++) {
    const redis = new Redis(REDIS_TEST_URL, { db, lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    await redis.flushdb();
    redis.disconnect();
  }
}
