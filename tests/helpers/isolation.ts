// Per-worker isolation (the original project's rule): each vitest worker gets its
// own Postgres database per purpose and its own db number on the run's private
// Redis (never 0; see test-redis.ts).
// Databases are created on first use and dropped by global-setup at the end.
import pg from 'pg';
import { ADMIN_PG_URL, redisDbCount, redisTestUrl } from './isolation-config.ts';

const created = new Map<string, Promise<string>>();

function workerId(): number {
  return Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? '1');
}

/** A Postgres URL for this worker and purpose (e.g. 'orm', 'ohlcv'), created if needed. */
export function workerDatabaseUrl(purpose: string): Promise<string> {
  if (!/^[a-z0-9_]+$/.test(purpose)) throw new Error(`bad purpose ${purpose}`);
  const runId = process.env.FULLON_TEST_RUN_ID ?? 'local';
  const name = `fmt_${runId}_w${workerId()}_${purpose}`;
  let pending = created.get(name);
  if (!pending) {
    pending = createDatabase(name);
    created.set(name, pending);
  }
  return pending;
}

/** A fresh database for one test (drop it with dropDatabase in afterEach). */
export async function freshDatabaseUrl(purpose: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const runId = process.env.FULLON_TEST_RUN_ID ?? 'local';
  const name = `fmt_${runId}_w${workerId()}_${purpose}_${Math.random().toString(36).slice(2, 8)}`;
  const url = await createDatabase(name);
  return { url, drop: () => dropDatabase(name) };
}

async function createDatabase(name: string): Promise<string> {
  const client = new pg.Client({ connectionString: ADMIN_PG_URL });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } catch (error) {
    if ((error as { code?: string }).code !== '42P04') throw error; // already exists
  } finally {
    await client.end();
  }
  const url = new URL(ADMIN_PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_PG_URL });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** This worker's Redis db number (1..15) and a URL selecting it. */
export function workerRedis(): { db: number; url: string } {
  const db = 1 + ((workerId() - 1) % redisDbCount());
  return { db, url: `${redisTestUrl()}/${db}` };
}

/** A mail no other test uses. */
export function uniqueMail(prefix = 'user'): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}@example.com`;
}
