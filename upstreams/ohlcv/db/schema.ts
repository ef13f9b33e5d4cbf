// Versioned schema of the ohlcv store. The primary keys (exchange, symbol, ts)
// are the upsert targets and the only indexes reads need: "latest N" is a
// backward range scan and a year of 1d candles reads 8 760 hourly rollup rows.
import type { Migration } from '../../common/migrations.ts';

export const MIGRATIONS_TABLE = 'ohlcv_schema_migrations';

export const OHLCV_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'candles, hourly rollup, trades, symbol catalogue',
    sql: `
CREATE TABLE IF NOT EXISTS ohlcv_candles (
  exchange TEXT NOT NULL,
  symbol TEXT NOT NULL,
  ts TIMESTAMPTZ NOT NULL,
  open DOUBLE PRECISION NOT NULL,
  high DOUBLE PRECISION NOT NULL,
  low DOUBLE PRECISION NOT NULL,
  close DOUBLE PRECISION NOT NULL,
  volume DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (exchange, symbol, ts)
);
CREATE TABLE IF NOT EXISTS ohlcv_candles_1h (
  exchange TEXT NOT NULL,
  symbol TEXT NOT NULL,
  ts TIMESTAMPTZ NOT NULL,
  open DOUBLE PRECISION NOT NULL,
  high DOUBLE PRECISION NOT NULL,
  low DOUBLE PRECISION NOT NULL,
  close DOUBLE PRECISION NOT NULL,
  volume DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (exchange, symbol, ts)
);
CREATE TABLE IF NOT EXISTS ohlcv_trades (
  exchange TEXT NOT NULL,
  symbol TEXT NOT NULL,
  ts TIMESTAMPTZ NOT NULL,
  price DOUBLE PRECISION NOT NULL,
  volume DOUBLE PRECISION NOT NULL,
  side TEXT NOT NULL,
  type TEXT NOT NULL,
  PRIMARY KEY (exchange, symbol, ts)
);
CREATE TABLE IF NOT EXISTS ohlcv_symbols (
  exchange TEXT NOT NULL,
  symbol TEXT NOT NULL,
  candle_first TIMESTAMPTZ,
  candle_last TIMESTAMPTZ,
  candle_count BIGINT NOT NULL DEFAULT 0,
  trade_first TIMESTAMPTZ,
  trade_last TIMESTAMPTZ,
  trade_count BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (exchange, symbol)
);
`,
  },
];
