// PGlite templates (upstreams/common/pglite-template.ts): a new database is a copy
// of a pre-migrated template only when the template was made from the very same
// migrations and PGlite; the copy has the schema a from-scratch migration gives;
// an existing database is never touched; a broken template store only costs time.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, openPglite, PGLITE_SHARED_BUFFERS, type Db } from '../../../../upstreams/common/db.ts';
import { runMigrations, type Migration } from '../../../../upstreams/common/migrations.ts';
import { ensureTemplate, seedFromTemplate, templateDirectory, templateKey, type DatabaseSchema } from '../../../../upstreams/common/pglite-template.ts';
import { OHLCV_SCHEMA } from '../../../../upstreams/ohlcv/db/schema.ts';
import { ORM_SCHEMA } from '../../../../upstreams/orm/migrations/index.ts';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `fullon-template-${label}-`));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function track(db: Db): Promise<Db> {
  cleanups.push(() => db.close());
  return db;
}

const accounts: Migration = { version: 1, name: 'accounts', sql: 'CREATE TABLE accounts (id SERIAL PRIMARY KEY, mail TEXT NOT NULL UNIQUE);' };
const notes: Migration = { version: 2, name: 'notes', sql: 'CREATE TABLE notes (id SERIAL PRIMARY KEY, body TEXT);' };
const v1: DatabaseSchema = { table: 'demo_migrations', migrations: [accounts] };

async function tables(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
  return rows.map((row) => row.name);
}

/** Makes the v1 template and plants a table in it, so a database copied from it shows. */
async function plantedTemplate(root: string): Promise<string> {
  const { directory, built } = await ensureTemplate({ root, name: 'demo', schema: v1, open: openPglite });
  expect(built).toBe(true);
  const template = await openPglite(directory);
  await template.exec('CREATE TABLE came_from_template (id INTEGER)');
  await template.close();
  return directory;
}

describe('PGlite template key', () => {
  it('changes with any migration (version, name or SQL) and with the PGlite version, not with their order', () => {
    const key = templateKey('demo', { table: 'm', migrations: [accounts, notes] }, '0.5.16');
    expect(templateKey('demo', { table: 'm', migrations: [notes, accounts] }, '0.5.16')).toBe(key);
    expect(templateKey('demo', { table: 'm', migrations: [accounts] }, '0.5.16')).not.toBe(key);
    expect(templateKey('demo', { table: 'm', migrations: [accounts, { ...notes, sql: `${notes.sql} ` }] }, '0.5.16')).not.toBe(key);
    expect(templateKey('demo', { table: 'm', migrations: [accounts, { ...notes, name: 'notes2' }] }, '0.5.16')).not.toBe(key);
    expect(templateKey('demo', { table: 'm', migrations: [accounts, { ...notes, version: 3 }] }, '0.5.16')).not.toBe(key);
    expect(templateKey('demo', { table: 'm', migrations: [accounts, notes] }, '0.5.17')).not.toBe(key);
    expect(templateKey('other', { table: 'm', migrations: [accounts, notes] }, '0.5.16')).not.toBe(key);
    expect(templateKey('demo', { table: 'm2', migrations: [accounts, notes] }, '0.5.16')).not.toBe(key);
  });

  it('refuses a database name that could leave the template directory', () => {
    expect(() => templateDirectory('/tmp/x', '../orm', v1)).toThrow(/bad database name/);
  });
});

describe('PGlite templates', () => {
  it('copies a new database from the template of the same migrations, and never from a stale one', async () => {
    const root = tempDir('root');
    const stale = await plantedTemplate(root);

    const fresh = await track(await openDatabase({ dataDir: tempDir('same'), name: 'demo', schema: v1, templateRoot: root }));
    expect(await runMigrations(fresh, v1.table, v1.migrations)).toEqual([]);
    expect(await tables(fresh)).toEqual(['accounts', 'came_from_template', 'demo_migrations']);

    // A migration added: another key, so the planted template is not used; the
    // new one is made from the migrations, and the stale one removed.
    const v2: DatabaseSchema = { table: v1.table, migrations: [accounts, notes] };
    const added = await track(await openDatabase({ dataDir: tempDir('added'), name: 'demo', schema: v2, templateRoot: root }));
    expect(await runMigrations(added, v2.table, v2.migrations)).toEqual([]);
    expect(await tables(added)).toEqual(['accounts', 'demo_migrations', 'notes']);
    expect(readdirSync(root)).toEqual([templateDirectory(root, 'demo', v2).slice(root.length + 1)]);
    expect(readdirSync(root)).not.toContain(stale.slice(root.length + 1));
  }, 60_000);

  it('does not use a template whose migration SQL was edited under the same version', async () => {
    const root = tempDir('root');
    await plantedTemplate(root);
    const edited: DatabaseSchema = { table: v1.table, migrations: [{ ...accounts, sql: 'CREATE TABLE accounts (id SERIAL PRIMARY KEY, mail TEXT NOT NULL UNIQUE, name TEXT);' }] };
    const db = await track(await openDatabase({ dataDir: tempDir('edited'), name: 'demo', schema: edited, templateRoot: root }));
    expect(await tables(db)).toEqual(['accounts', 'demo_migrations']);
    const { rows } = await db.query<{ column_name: string }>("SELECT column_name FROM information_schema.columns WHERE table_name = 'accounts' ORDER BY ordinal_position");
    expect(rows.map((row) => row.column_name)).toEqual(['id', 'mail', 'name']);
  }, 60_000);

  it('never touches an existing database: data stays, nothing is copied over it', async () => {
    const root = tempDir('root');
    await plantedTemplate(root);
    const dataDir = tempDir('existing');
    const first = await openDatabase({ dataDir, name: 'demo', schema: v1, templateRoot: root });
    await first.exec("INSERT INTO accounts (mail) VALUES ('kept@example.com')");
    await first.exec('DROP TABLE came_from_template');
    await first.close();

    const again = await track(await openDatabase({ dataDir, name: 'demo', schema: v1, templateRoot: root }));
    expect(await tables(again)).toEqual(['accounts', 'demo_migrations']);
    expect((await again.query('SELECT mail FROM accounts')).rows).toEqual([{ mail: 'kept@example.com' }]);
    // Nor a directory with anything else in it.
    const occupied = join(tempDir('occupied'), 'demo');
    mkdirSync(occupied);
    writeFileSync(join(occupied, 'keep.txt'), 'x');
    expect(await seedFromTemplate(templateDirectory(root, 'demo', v1), occupied)).toBe(false);
    expect(readdirSync(occupied)).toEqual(['keep.txt']);
  }, 60_000);

  it('falls back to a database made from scratch, with a warning, when templates cannot be stored', async () => {
    const blocked = join(tempDir('blocked'), 'not-a-directory');
    writeFileSync(blocked, 'a file where the template root should be');
    const warnings: unknown[] = [];
    const logger = { info: () => {}, warn: (...args: unknown[]) => void warnings.push(args) };
    const db = await track(await openDatabase({ dataDir: tempDir('fallback'), name: 'demo', schema: v1, templateRoot: blocked, logger }));
    expect(await runMigrations(db, v1.table, v1.migrations)).toEqual([1]);
    expect(await tables(db)).toEqual(['accounts', 'demo_migrations']);
    expect(JSON.stringify(warnings)).toContain('initialising the database from scratch');
  }, 60_000);
});

/** Everything a migration can create, in a stable order, for comparing two databases. */
async function schemaSnapshot(db: Db, migrationsTable: string): Promise<Record<string, unknown>> {
  const columns = await db.query(
    `SELECT table_name, column_name, data_type, is_nullable, column_default, collation_name, is_identity, ordinal_position
       FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
  );
  const constraints = await db.query(
    `SELECT c.conrelid::regclass::text AS table_name, c.conname, c.contype, pg_get_constraintdef(c.oid) AS definition
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public' ORDER BY 1, 2`,
  );
  const indexes = await db.query(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2`);
  const sequences = await db.query(`SELECT sequence_name, data_type, start_value, increment FROM information_schema.sequences WHERE sequence_schema = 'public' ORDER BY 1`);
  const views = await db.query(`SELECT table_name, view_definition FROM information_schema.views WHERE table_schema = 'public' ORDER BY 1`);
  const functions = await db.query(
    `SELECT p.proname, pg_get_functiondef(p.oid) AS definition FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' ORDER BY 1`,
  );
  const triggers = await db.query(`SELECT event_object_table, trigger_name, action_statement FROM information_schema.triggers ORDER BY 1, 2`);
  const applied = await db.query(`SELECT version, name FROM ${migrationsTable} ORDER BY version`);
  return { columns: columns.rows, constraints: constraints.rows, indexes: indexes.rows, sequences: sequences.rows, views: views.rows, functions: functions.rows, triggers: triggers.rows, applied: applied.rows };
}

describe.each<[string, DatabaseSchema]>([
  ['orm', ORM_SCHEMA],
  ['ohlcv', OHLCV_SCHEMA],
])('the %s template', (name, schema) => {
  it('gives the same schema as migrating an empty database from scratch', async () => {
    const scratch = await track(await openPglite(join(tempDir(`${name}-scratch`), name)));
    await runMigrations(scratch, schema.table, schema.migrations);

    const root = tempDir(`${name}-root`);
    const copied = await track(await openDatabase({ dataDir: tempDir(`${name}-copy`), name, schema, templateRoot: root }));
    expect(readdirSync(root)).toEqual([templateDirectory(root, name, schema).slice(root.length + 1)]);
    expect(await runMigrations(copied, schema.table, schema.migrations)).toEqual([]);

    const expected = await schemaSnapshot(scratch, schema.table);
    expect((expected.columns as unknown[]).length).toBeGreaterThan(0);
    expect(await schemaSnapshot(copied, schema.table)).toEqual(expected);
  }, 90_000);

  it('holds only the database PGlite serves: initdb\'s template0 and template1 (half the files to copy) are dropped', async () => {
    const root = tempDir(`${name}-root`);
    const dataDir = tempDir(`${name}-only`);
    const copied = await openDatabase({ dataDir, name, schema, templateRoot: root });
    try {
      const { rows } = await copied.query<{ datname: string }>('SELECT datname FROM pg_database ORDER BY 1');
      expect(rows.map((row) => row.datname)).toEqual(['postgres']);
      expect(readdirSync(join(dataDir, name, 'base'))).toHaveLength(1);
      // Still an ordinary database: writes survive a reopen.
      await copied.exec('CREATE TABLE after_copy (id INTEGER); INSERT INTO after_copy VALUES (7)');
    } finally {
      await copied.close();
    }
    const reopened = await track(await openPglite(join(dataDir, name)));
    expect((await reopened.query<{ id: number }>('SELECT id FROM after_copy')).rows).toEqual([{ id: 7 }]);
  }, 90_000);
});

describe('an embedded database opens', () => {
  it('with a 16 MB buffer pool, not the 128 MB of initdb\'s postgresql.conf that PGlite zeroes on every open (cold start)', async () => {
    const root = tempDir('buffers');
    const { directory } = await ensureTemplate({ root, name: 'demo', schema: v1, open: openPglite });
    const dataDir = tempDir('buffers-data');
    // A copied database and one opened as it is: both get the setting.
    const copied = await track(await openDatabase({ dataDir, name: 'demo', schema: v1, templateRoot: root }));
    const template = await track(await openPglite(directory));
    for (const db of [copied, template]) {
      const { rows } = await db.query<{ shared_buffers: string }>('SHOW shared_buffers');
      expect(rows).toEqual([{ shared_buffers: PGLITE_SHARED_BUFFERS }]);
    }
    // Everything else PGlite starts with still holds (its single-user search_path, for one).
    expect((await copied.query<{ search_path: string }>('SHOW search_path')).rows).toEqual([{ search_path: 'public' }]);
  }, 90_000);
});
