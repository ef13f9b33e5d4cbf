// Pre-initialised PGlite data directories ("templates"), like Postgres' own
// template1: creating an embedded database runs initdb inside WebAssembly, ~2 s
// of CPU per database, which was most of a fresh clone's first `npm start`. A
// template is made once (by `npm ci`/`npm install`'s postinstall, or by the first
// start that needs it), with the migrations applied and initdb's unused template
// databases dropped, and a new data directory is a copy of it (~0.25 s for its
// ~520 files). Migrations still run on top after opening, as always.
//
// A template is keyed by a hash of everything its contents depend on: the PGlite
// version (the on-disk format) and the migrations (version, name and SQL). When
// a migration is added or edited, the key changes and the old template is never
// used again (docs/cold-start.md).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.ts';
import { runMigrations, type Migration } from './migrations.ts';

/** What a database's schema is made of: its migrations and where they are recorded. */
export interface DatabaseSchema {
  table: string;
  migrations: readonly Migration[];
}

/** Bumped when the way templates are made changes (not for schema changes: those are hashed). 2: without template0/template1. */
const TEMPLATE_FORMAT = 2;

/**
 * initdb's template databases. PGlite serves one database ("postgres") over one
 * connection, so they are never connected to; they are half of a template's
 * files, and a new database's copy costs per file (~0.6 ms each here).
 */
const UNUSED_TEMPLATE_DATABASES = ['template1', 'template0'] as const;

/** Where templates live: a cache inside node_modules, so `npm ci` starts from a clean slate and git never sees it. */
export const DEFAULT_TEMPLATE_ROOT = fileURLToPath(new URL('../../node_modules/.cache/fullon-pglite-templates', import.meta.url));

let pgliteVersionCache: string | undefined;

/** The installed PGlite's version: a different PGlite may write a different on-disk format. */
export function installedPgliteVersion(): string {
  if (pgliteVersionCache === undefined) {
    const entry = fileURLToPath(import.meta.resolve('@electric-sql/pglite'));
    let directory = dirname(entry);
    while (!existsSync(join(directory, 'package.json')) && dirname(directory) !== directory) directory = dirname(directory);
    const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { version?: unknown };
    pgliteVersionCache = typeof manifest.version === 'string' ? manifest.version : 'unknown';
  }
  return pgliteVersionCache;
}

/** The template's key: changes whenever the PGlite version or any migration (version, name, SQL) does. */
export function templateKey(name: string, schema: DatabaseSchema, pgliteVersion = installedPgliteVersion()): string {
  const migrations = [...schema.migrations].sort((a, b) => a.version - b.version).map((m) => [m.version, m.name, m.sql]);
  const material = JSON.stringify({ format: TEMPLATE_FORMAT, pglite: pgliteVersion, name, table: schema.table, migrations });
  return createHash('sha256').update(material).digest('hex').slice(0, 20);
}

/** The directory the template for this database and schema lives in (it may not exist yet). */
export function templateDirectory(root: string, name: string, schema: DatabaseSchema): string {
  assertPlainName(name);
  return join(root, `${name}-${templateKey(name, schema)}`);
}

/** True when `directory` already holds a PGlite/Postgres cluster. */
export function holdsDatabase(directory: string): boolean {
  return existsSync(join(directory, 'PG_VERSION'));
}

export interface BuildTemplateOptions {
  root: string;
  name: string;
  schema: DatabaseSchema;
  /** Opens a PGlite database in a directory (db.ts passes its own). */
  open: (directory: string) => Promise<Db>;
}

export type BuildResult = { directory: string; built: boolean };

/**
 * Makes the template unless it exists: initdb and the migrations into a private
 * directory, a clean shutdown, then an atomic rename, so a reader never sees a
 * half-made template and two builders at once cost time, not correctness.
 * Templates of the same database with another key (stale) are removed.
 */
export async function ensureTemplate(options: BuildTemplateOptions): Promise<BuildResult> {
  const directory = templateDirectory(options.root, options.name, options.schema);
  if (holdsDatabase(directory)) return { directory, built: false };
  await mkdir(options.root, { recursive: true });
  const building = join(options.root, `.building-${basename(directory)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const db = await options.open(building);
    try {
      await runMigrations(db, options.schema.table, options.schema.migrations);
      await dropTemplateDatabases(db);
    } finally {
      await db.close();
    }
    try {
      await rename(building, directory);
    } catch (error) {
      // Another process finished the same template first: theirs is as good.
      if (!holdsDatabase(directory)) throw error;
      return { directory, built: false };
    }
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  await removeStaleTemplates(options.root, options.name, basename(directory));
  return { directory, built: true };
}

/** CREATE DATABASE needs template1, and nothing here creates databases in PGlite. */
async function dropTemplateDatabases(db: Db): Promise<void> {
  for (const name of UNUSED_TEMPLATE_DATABASES) {
    // A template database cannot be dropped; DROP DATABASE cannot run in a transaction, so one statement per query.
    await db.query(`ALTER DATABASE ${name} IS_TEMPLATE false`);
    await db.query(`DROP DATABASE ${name}`);
  }
}

async function removeStaleTemplates(root: string, name: string, keep: string): Promise<void> {
  const pattern = new RegExp(`^${name}-[0-9a-f]{20}$`);
  for (const entry of await readdir(root).catch(() => [] as string[])) {
    if (entry !== keep && pattern.test(entry)) await rm(join(root, entry), { recursive: true, force: true }).catch(() => {});
  }
}

/**
 * Fills a new data directory with a copy of the template. Only a missing or empty
 * directory is filled (an existing database is never touched); the copy is made
 * beside it and renamed into place, so a crash mid-copy leaves no half database.
 * Returns false when the directory was not empty or another process filled it first.
 */
export async function seedFromTemplate(template: string, directory: string): Promise<boolean> {
  if (!isMissingOrEmpty(directory)) return false;
  await mkdir(dirname(directory), { recursive: true });
  const seeding = `${directory}.seeding-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await cp(template, seeding, { recursive: true, errorOnExist: true, force: false });
    if (existsSync(directory)) await rmdir(directory).catch(() => {});
    try {
      await rename(seeding, directory);
    } catch (error) {
      if (holdsDatabase(directory)) return false;
      throw error;
    }
    return true;
  } finally {
    await rm(seeding, { recursive: true, force: true });
  }
}

function isMissingOrEmpty(directory: string): boolean {
  try {
    return readdirSync(directory).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

function assertPlainName(name: string): void {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${JSON.stringify(name)}`);
}
