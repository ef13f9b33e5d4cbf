// One database interface over real Postgres (pg) and embedded PGlite, so every
// upstream runs the same SQL on both and the same contract tests cover both.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { DEFAULT_TEMPLATE_ROOT, ensureTemplate, holdsDatabase, seedFromTemplate, type DatabaseSchema } from './pglite-template.ts';

export interface QueryResult<R> { rows: R[]; rowCount: number }

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs fn inside BEGIN/COMMIT on one connection; ROLLBACK when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs statements separated by semicolons (migrations); no parameters. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
  /** Connections now (metrics, read at scrape time): pg's pool counts, or PGlite's one connection and the work queued for it. */
  poolStats?(): PoolStats;
}

export interface PoolStats {
  total: number;
  idle: number;
  /** Queries or transactions waiting for a connection. */
  waiting: number;
}

export interface OpenDatabaseOptions {
  /** postgres:// URL; when absent, PGlite under dataDir/name. */
  url?: string | undefined;
  dataDir?: string | undefined;
  name: string;
  poolSize?: number;
  /**
   * The migrations the caller applies after opening. With it, a new PGlite
   * database starts as a copy of a pre-migrated template (pglite-template.ts)
   * instead of a slow initdb; the caller still runs its migrations on top.
   */
  schema?: DatabaseSchema | undefined;
  /** Where PGlite templates are kept (default: node_modules/.cache/fullon-pglite-templates). */
  templateRoot?: string | undefined;
  logger?: Pick<Logger, 'info' | 'warn'> | undefined;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Db> {
  if (options.url) return openPostgres(options.url, options.poolSize ?? 10);
  const directory = pgliteDirectory(options);
  if (options.schema && !holdsDatabase(directory)) await seedFromTemplateOrNot(directory, options as OpenDatabaseOptions & { schema: DatabaseSchema });
  return openPglite(directory);
}

/** True when openDatabase will make a new, empty embedded database (no URL, nothing in its directory yet). */
export function willCreateDatabase(options: Pick<OpenDatabaseOptions, 'url' | 'dataDir' | 'name'>): boolean {
  return !options.url && !holdsDatabase(pgliteDirectory(options));
}

function pgliteDirectory(options: Pick<OpenDatabaseOptions, 'dataDir' | 'name'>): string {
  return join(options.dataDir ?? './data', options.name);
}

/** A template failure only costs time: the database is then initialised from scratch, as without one. */
async function seedFromTemplateOrNot(directory: string, options: OpenDatabaseOptions & { schema: DatabaseSchema }): Promise<void> {
  try {
    const template = await ensureTemplate({ root: options.templateRoot ?? DEFAULT_TEMPLATE_ROOT, name: options.name, schema: options.schema, open: openPglite });
    if (await seedFromTemplate(template.directory, directory)) {
      options.logger?.info({ database: options.name, template: template.directory, template_built: template.built }, 'new PGlite database copied from its template');
    }
  } catch (error) {
    options.logger?.warn({ err: error, database: options.name }, 'PGlite template unusable: initialising the database from scratch (slower)');
  }
}

// pg returns BIGINT/NUMERIC as strings by default to avoid precision loss; our
// ids fit in 2^53 and prices are doubles, so parse them as numbers like PGlite does.
pg.types.setTypeParser(20, (value) => Number(value));
pg.types.setTypeParser(1700, (value) => Number(value));

function openPostgres(url: string, poolSize: number): Db {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000 });
  // An idle client that loses its connection emits 'error' on the pool; without
  // a listener that would crash the process during a database restart.
  pool.on('error', () => {});
  const run = async <R>(client: pg.Pool | pg.PoolClient, sql: string, params?: unknown[]) => {
    const result = await client.query(sql, params as unknown[]);
    return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
  };
  return {
    kind: 'postgres',
    query: (sql, params) => run(pool, sql, params),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const value = await fn({ query: (sql, params) => run(client, sql, params) });
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async exec(sql) {
      await pool.query(sql);
    },
    close: () => pool.end(),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}

/**
 * The embedded database's buffer pool. Postgres' default (and initdb's
 * postgresql.conf) is 128 MB, which PGlite zeroes in WebAssembly on every open:
 * ~0.35 s of CPU per database here, twice per start (orm and ohlcv), on cores the
 * other starting processes need (docs/cold-start.md). 16 MB holds the orm's tables
 * many times over, and the files stay in the OS page cache behind it; a deployment
 * that outgrows it runs Postgres (DATABASE_URL), which this does not touch.
 */
export const PGLITE_SHARED_BUFFERS = '16MB';

/** PGlite in `directory` as it is (created by initdb when empty); openDatabase is the usual entry. */
export async function openPglite(directory: string): Promise<Db> {
  mkdirSync(directory, { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  // PGlite's own start parameters (single-user mode and the rest) stay; this adds one.
  const db = await PGlite.create(directory, { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`] });
  // PGlite is a single connection: serialise transactions so two requests never
  // interleave statements inside one BEGIN/COMMIT.
  let chain: Promise<unknown> = Promise.resolve();
  // Work handed to the one connection and not finished yet (running + queued), for poolStats().
  let busy = 0;
  const tracked = <T>(work: Promise<T>): Promise<T> => {
    busy++;
    return work.finally(() => void busy--);
  };
  const run = async <R>(target: { query: typeof db.query }, sql: string, params?: unknown[]) => {
    const result = await target.query<R>(sql, params);
    return { rows: result.rows, rowCount: result.rows.length || (result.affectedRows ?? 0) };
  };
  return {
    kind: 'pglite',
    query: (sql, params) => tracked(run(db, sql, params)),
    transaction(fn) {
      const next = tracked(chain.then(() => db.transaction((tx) => fn({ query: (sql, params) => run(tx, sql, params) }))));
      chain = next.catch(() => {});
      return next;
    },
    async exec(sql) {
      await db.exec(sql);
    },
    close: () => db.close(),
    poolStats: () => ({ total: 1, idle: busy === 0 ? 1 : 0, waiting: Math.max(0, busy - 1) }),
  };
}

/** Postgres SQLSTATE of a driver error, when it has one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
