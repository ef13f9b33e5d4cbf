// The ohlcv schema migrates once, keys every time table on (series_id, ts), and
// falls back to plain Postgres tables when TimescaleDB is not installable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../../upstreams/common/db.ts';
import { createLogger } from '../../../../upstreams/common/logger.ts';
import { runMigrations } from '../../../../upstreams/common/migrations.ts';
import { prepareOhlcvDatabase } from '../../../../upstreams/ohlcv/db/open.ts';
import { MIGRATIONS_TABLE, OHLCV_MIGRATIONS } from '../../../../upstreams/ohlcv/db/schema.ts';
import { enableTimescale } from '../../../../upstreams/ohlcv/db/timescale.ts';
import { workerDatabaseUrl } from '../../../helpers/isolation.ts';

describe('ohlcv schema (Postgres)', () => {
  let db: Db;
  const logger = createLogger('ohlcv', 'silent');
  beforeAll(async () => {
    db = await openDatabase({ url: await workerDatabaseUrl('ohlcv'), name: 'ohlcv' });
    await prepareOhlcvDatabase(db, logger);
  });
  afterAll(async () => db?.close());

  it('applies its migrations only once', async () => {
    expect(await runMigrations(db, MIGRATIONS_TABLE, OHLCV_MIGRATIONS)).toEqual([]);
  });

  it.each(['ohlcv_candles', 'ohlcv_candles_1h', 'ohlcv_trades'])('keys %s on (series_id, ts)', async (table) => {
    const { rows } = await db.query<{ columns: string }>(
      `SELECT string_agg(a.attname, ',' ORDER BY k.ord) AS columns
       FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
       WHERE i.indrelid = $1::regclass AND i.indisprimary`, [table]);
    expect(rows[0]?.columns).toBe('series_id,ts');
  });

  it('uses plain tables when timescaledb is not available', async () => {
    const { rows } = await db.query<{ available: boolean }>("SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') AS available");
    if (rows[0]?.available) return; // a TimescaleDB machine: covered by enableTimescale's own logging
    expect(await enableTimescale(db, logger)).toBe(false);
  });
});
