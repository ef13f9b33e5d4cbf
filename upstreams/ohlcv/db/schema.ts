// Versioned schema of the ohlcv store. Each (exchange, symbol) is one row of
// ohlcv_symbols with a small integer series_id; the time tables are keyed on
// (series_id, ts), which is the upsert target for "(exchange, symbol, timestamp)"
// and the only index reads need: "latest N" is a backward range scan and a year
// of 1d candles reads 8 760 hourly rollup rows. An int key instead of two text
// columns keeps rows and index entries narrow, which is what ingest speed is;
// no foreign keys on the time tables for the same reason (a per-row check), the
// series row is always written in the same transaction as its rows.
import type { Migration } from '../../common/migrations.ts';
import type { DatabaseSchema } from '../../common/pglite-template.ts';

export const MIGRATIONS_TABLE = 'ohlcv_schema_migrations';

export const OHLCV_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'candles, hourly rollup, trades, symbol catalogue',
    sql: `
CREATE TABLE IF NOT EXISTS ohlcv_symbols (
  series_id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  exchange TEXT COLLATE "C" NOT NULL,
  symbol TEXT COLLATE "C" NOT NULL,
  candle_first TIMESTAMPTZ,
  candle_last TIMESTAMPTZ,
  candle_count BIGINT NOT NULL DEFAULT 0,
  trade_first TIMESTAMPTZ,
  trade_last TIMESTAMPTZ,
  trade_count BIGINT NOT NULL DEFAULT 0,
  UNIQUE (exchange, symbol)
);
CREATE TABLE IF NOT EXISTS ohlcv_candles (
  series_id INTEGER NOT NULL,
  ts TIMESTAMPTZ NOT NULL,
  open DOUBLE PRECISION NOT NULL,
  high DOUBLE PRECISION NOT NULL,
  low DOUBLE PRECISION NOT NULL,
  close DOUBLE PRECISION NOT NULL,
  volume DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (series_id, ts)
);
CREATE TABLE IF NOT EXISTS ohlcv_candles_1h (
  series_id INTEGER NOT NULL,
  ts TIMESTAMPTZ NOT NULL,
  open DOUBLE PRECISION NOT NULL,
  high DOUBLE PRECISION NOT NULL,
  low DOUBLE PRECISION NOT NULL,
  close DOUBLE PRECISION NOT NULL,
  volume DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (series_id, ts)
);
CREATE TABLE IF NOT EXISTS ohlcv_trades (
  series_id INTEGER NOT NULL,
  ts TIMESTAMPTZ NOT NULL,
  price DOUBLE PRECISION NOT NULL,
  volume DOUBLE PRECISION NOT NULL,
  side TEXT NOT NULL,
  type TEXT NOT NULL,
  PRIMARY KEY (series_id, ts)
);
`,
  },
];

/** For openDatabase: a new PGlite ohlcv database starts from a template with these applied. */
export const OHLCV_SCHEMA: DatabaseSchema = { table: MIGRATIONS_TABLE, migrations: OHLCV_MIGRATIONS };
