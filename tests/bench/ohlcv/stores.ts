// The stores the benchmark runs against: a fresh Postgres database it creates
// and drops, and a PGlite directory it creates and removes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface BenchStore {
  name: 'postgres' | 'pglite';
  env: Record<string, string>;
  drop(): Promise<void>;
}

const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function createPostgresStore(): Promise<BenchStore> {
  const name = `fullon_bench_ohlcv_${process.pid}_${Date.now().toString(36)}`;
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { name: 'postgres', env: { OHLCV_DATABASE_URL: url.toString() }, drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

export async function createPgliteStore(): Promise<BenchStore> {
  const dir = mkdtempSync(join(tmpdir(), 'fullon-bench-ohlcv-'));
  return { name: 'pglite', env: { DATA_DIR: dir, OHLCV_DATABASE_URL: '' }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
