// Opens the ohlcv store (Postgres at OHLCV_DATABASE_URL, else PGlite under
// DATA_DIR/ohlcv) and brings its schema up to date.
import type { Logger } from 'pino';
import { openDatabase, type Db } from '../../common/db.ts';
import { runMigrations } from '../../common/migrations.ts';
import type { OhlcvSettings } from '../settings.ts';
import { MIGRATIONS_TABLE, OHLCV_MIGRATIONS, OHLCV_SCHEMA } from './schema.ts';
import { enableTimescale } from './timescale.ts';

export async function openOhlcvDatabase(settings: OhlcvSettings, logger: Logger): Promise<Db> {
  const db = await openDatabase({ url: settings.databaseUrl, dataDir: settings.dataDir, name: 'ohlcv', schema: OHLCV_SCHEMA, logger });
  await prepareOhlcvDatabase(db, logger);
  return db;
}

export async function prepareOhlcvDatabase(db: Db, logger: Logger): Promise<void> {
  const applied = await runMigrations(db, MIGRATIONS_TABLE, OHLCV_MIGRATIONS);
  if (applied.length) logger.info({ applied }, 'ohlcv migrations applied');
  if (applied.includes(1)) await enableTimescale(db, logger);
}
