// Turns the time-keyed tables into TimescaleDB hypertables when the extension
// is installable (real Postgres only). Plain Postgres keeps the btree primary
// keys, which are enough for the read paths; failure here is never fatal.
import type { Logger } from 'pino';
import type { Db } from '../../common/db.ts';

const HYPERTABLES = ['ohlcv_candles', 'ohlcv_candles_1h', 'ohlcv_trades'];

export async function enableTimescale(db: Db, logger: Logger): Promise<boolean> {
  if (db.kind !== 'postgres') return false;
  const available = await db.query<{ ok: boolean }>("SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') AS ok");
  if (!available.rows[0]?.ok) {
    logger.info('timescaledb not available; using plain Postgres tables');
    return false;
  }
  try {
    await db.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
    for (const table of HYPERTABLES) {
      await db.query(`SELECT create_hypertable('${table}', 'ts', if_not_exists => TRUE, migrate_data => TRUE)`);
    }
    logger.info({ tables: HYPERTABLES }, 'timescaledb hypertables enabled');
    return true;
  } catch (error) {
    // Typically the library is installed but not in shared_preload_libraries.
    logger.warn({ err: error }, 'timescaledb present but unusable; using plain Postgres tables');
    return false;
  }
}
