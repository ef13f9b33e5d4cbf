// Db.poolStats() (the db_pool_connections metric): pg's pool counts on real
// Postgres, and PGlite's one connection with the work queued for it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../upstreams/common/db.ts';
import { ORM_SCHEMA } from '../../../../upstreams/orm/migrations/index.ts';
import { freshDatabaseUrl } from '../../../helpers/isolation.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('Db.poolStats', () => {
  it('counts Postgres connections opened, idle and waiting for a slot', async () => {
    const { url, drop } = await freshDatabaseUrl('poolstats');
    const db = await openDatabase({ url, name: 'poolstats', poolSize: 2 });
    cleanups.push(drop, () => db.close());
    expect(db.poolStats!()).toEqual({ total: 0, idle: 0, waiting: 0 });
    // Three queries on a pool of two: one waits for a connection.
    const running = [1, 2, 3].map(() => db.query('SELECT pg_sleep(0.05)'));
    expect(db.poolStats!().waiting).toBe(1);
    await Promise.all(running);
    expect(db.poolStats!()).toEqual({ total: 2, idle: 2, waiting: 0 });
  });

  it("reports PGlite's single connection busy while work is queued on it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fullon-poolstats-'));
    // From the orm's pre-migrated template: a copy, not a slow initdb.
    const db = await openDatabase({ dataDir: dir, name: 'orm', schema: ORM_SCHEMA });
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => db.close());
    expect(db.poolStats!()).toEqual({ total: 1, idle: 1, waiting: 0 });
    const running = [db.query('SELECT 1'), db.query('SELECT 2'), db.transaction((tx) => tx.query('SELECT 3'))];
    expect(db.poolStats!()).toEqual({ total: 1, idle: 0, waiting: 2 });
    await Promise.all(running);
    expect(db.poolStats!()).toEqual({ total: 1, idle: 1, waiting: 0 });
  });
});
