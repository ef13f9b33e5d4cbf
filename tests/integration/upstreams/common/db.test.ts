// The Db interface behaves the same on real Postgres and on PGlite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../../upstreams/common/db.ts';
import { runMigrations } from '../../../../upstreams/common/migrations.ts';
import { mapDatabaseError } from '../../../../upstreams/common/db-errors.ts';
import { freshDatabaseUrl } from '../../../helpers/isolation.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const implementations: Array<[string, () => Promise<Db>]> = [
  ['postgres', async () => {
    const { url, drop } = await freshDatabaseUrl('common');
    const db = await openDatabase({ url, name: 'common' });
    cleanups.push(drop, () => db.close());
    return db;
  }],
  ['pglite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fullon-pglite-'));
    const db = await openDatabase({ dataDir: dir, name: 'common' });
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }), () => db.close());
    return db;
  }],
];

describe.each(implementations)('Db on %s', (_name, open) => {
  it('applies migrations once and reports a unique clash as a 409 naming the field', async () => {
    const db = await open();
    const migrations = [{ version: 1, name: 'init', sql: 'CREATE TABLE t (id SERIAL PRIMARY KEY, mail TEXT UNIQUE NOT NULL);\nCREATE INDEX t_mail ON t (mail);' }];
    expect(await runMigrations(db, 'schema_migrations', migrations)).toEqual([1]);
    expect(await runMigrations(db, 'schema_migrations', migrations)).toEqual([]);
    await db.query('INSERT INTO t (mail) VALUES ($1)', ['a@x']);
    const error = await db.query('INSERT INTO t (mail) VALUES ($1)', ['a@x']).catch((e: unknown) => e);
    expect(mapDatabaseError(error)).toMatchObject({ status: 409, detail: 'mail already exists' });
  });

  it('rolls a failed transaction back', async () => {
    const db = await open();
    await db.exec('CREATE TABLE r (v INTEGER)');
    await expect(db.transaction(async (tx) => {
      await tx.query('INSERT INTO r VALUES (1)');
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect((await db.query('SELECT count(*)::int AS n FROM r')).rows[0]).toEqual({ n: 0 });
  });
});
