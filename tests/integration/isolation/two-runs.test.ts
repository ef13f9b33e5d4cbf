// Two test runs at once on one machine must not interfere, and neither may touch
// data it did not create: run two real vitest runs side by side (each starts its
// own Redis and names its Postgres databases after its run id), with sentinel keys
// standing for someone's real data in the machine's Redis, and check both runs pass,
// the sentinels survive, and each run dropped its databases.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PG_URL } from '../../helpers/isolation-config.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const VITEST = fileURLToPath(new URL('../../../node_modules/vitest/vitest.mjs', import.meta.url));
// Files that write to Redis and Postgres from several workers.
const FILES = ['tests/integration/upstreams/cache/redis-store.test.ts', 'tests/integration/upstreams/orm/api-keys.test.ts'];
const MACHINE_REDIS = process.env.TEST_MACHINE_REDIS_URL ?? 'redis://127.0.0.1:6379';

function runVitest(runId: string): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, FULLON_TEST_RUN_ID: runId, NO_COLOR: '1', FORCE_COLOR: '0' };
  for (const name of ['FULLON_TEST_REDIS_URL', 'TEST_REDIS_URL', 'VITEST', 'VITEST_POOL_ID', 'VITEST_WORKER_ID', 'NODE_OPTIONS']) delete env[name];
  const child = spawn(process.execPath, [VITEST, 'run', ...FILES], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

async function databasesOf(runId: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: ADMIN_PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`fmt\\_${runId}\\_%`]);
    return rows.map((row) => row.datname);
  } finally {
    await client.end();
  }
}

describe('two test runs at once', () => {
  const sentinel = `fullon-test-sentinel:${randomBytes(6).toString('hex')}`;
  const sentinelDbs = [1, 2, 15];
  let machineRedisUp = false;

  beforeAll(async () => {
    for (const db of sentinelDbs) {
      const redis = new Redis(`${MACHINE_REDIS}/${db}`, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
      try {
        await redis.connect();
        await redis.set(sentinel, 'real data', 'EX', 600);
        machineRedisUp = true;
      } catch {
        /* no Redis of the machine's own: nothing there to protect */
      } finally {
        redis.disconnect();
      }
    }
  });

  afterAll(async () => {
    for (const db of sentinelDbs) {
      const redis = new Redis(`${MACHINE_REDIS}/${db}`, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
      await redis.connect().then(() => redis.del(sentinel)).catch(() => {});
      redis.disconnect();
    }
  });

  it('both pass, neither touches the machine Redis, each drops its own databases', { timeout: 240_000 }, async () => {
    const ids = [randomBytes(4).toString('hex'), randomBytes(4).toString('hex')];
    const [first, second] = (await Promise.all(ids.map(runVitest))) as [Awaited<ReturnType<typeof runVitest>>, Awaited<ReturnType<typeof runVitest>>];
    expect(first.code, first.output.slice(-3000)).toBe(0);
    expect(second.code, second.output.slice(-3000)).toBe(0);
    for (const run of [first, second]) expect(run.output).toMatch(/Tests\s+\d+ passed/);
    if (machineRedisUp) {
      for (const db of sentinelDbs) {
        const redis = new Redis(`${MACHINE_REDIS}/${db}`, { maxRetriesPerRequest: 1 });
        expect(await redis.get(sentinel), `db ${db} of the machine Redis`).toBe('real data');
        redis.disconnect();
      }
    }
    for (const id of ids) expect(await databasesOf(id)).toEqual([]);
  });
});
