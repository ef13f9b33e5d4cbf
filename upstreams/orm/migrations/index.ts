// The orm's ordered migration list, applied on start (and by the demo seed)
// into the orm_schema_migrations table.
import type { Db } from '../../common/db.ts';
import { runMigrations, type Migration } from '../../common/migrations.ts';
import type { DatabaseSchema } from '../../common/pglite-template.ts';
import { accountsMigration } from './001-accounts.ts';
import { tradingMigration } from './002-trading.ts';
import { catalogMigration } from './003-catalog.ts';
import { lookupIndexesMigration } from './004-lookup-indexes.ts';
import { analyticsMigration } from './005-analytics.ts';
import { strategyRemovalMigration } from './006-strategy-removal.ts';

export const ORM_MIGRATIONS: readonly Migration[] = [accountsMigration, tradingMigration, catalogMigration, lookupIndexesMigration, analyticsMigration, strategyRemovalMigration];
export const ORM_MIGRATIONS_TABLE = 'orm_schema_migrations';
/** For openDatabase: a new PGlite orm database starts from a template with these applied. */
export const ORM_SCHEMA: DatabaseSchema = { table: ORM_MIGRATIONS_TABLE, migrations: ORM_MIGRATIONS };

export function migrateOrm(db: Db): Promise<number[]> {
  return runMigrations(db, ORM_MIGRATIONS_TABLE, ORM_MIGRATIONS);
}
