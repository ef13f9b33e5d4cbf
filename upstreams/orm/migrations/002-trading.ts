// Schema v2, trading: catalogs, exchange accounts, symbols, bots, strategies,
// feeds, orders and trades, with fullon's column names (orders.volume, never
// amount) plus a foreign key, unique constraint or index for every API lookup.
import type { Migration } from '../../common/migrations.ts';

export const tradingMigration: Migration = {
  version: 2,
  name: 'trading tables',
  sql: `
CREATE TABLE IF NOT EXISTS cat_exchanges (
  cat_ex_id SERIAL PRIMARY KEY,
  name TEXT NOT NULL,
  ohlcv_view TEXT,
  CONSTRAINT cat_exchanges_name_key UNIQUE (name)
);
CREATE TABLE IF NOT EXISTS cat_exchanges_params (
  cat_ex_par_id SERIAL PRIMARY KEY,
  cat_ex_id INTEGER NOT NULL REFERENCES cat_exchanges (cat_ex_id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value TEXT,
  CONSTRAINT cat_exchanges_params_name_key UNIQUE (cat_ex_id, name)
);
CREATE TABLE IF NOT EXISTS exchanges (
  ex_id SERIAL PRIMARY KEY,
  uid INTEGER NOT NULL REFERENCES users (uid) ON DELETE CASCADE,
  cat_ex_id INTEGER NOT NULL REFERENCES cat_exchanges (cat_ex_id),
  name TEXT NOT NULL,
  test BOOLEAN NOT NULL DEFAULT false,
  active BOOLEAN NOT NULL DEFAULT true,
  credentials TEXT,
  timestamp TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT exchanges_uid_cat_ex_id_name_key UNIQUE (uid, cat_ex_id, name)
);
CREATE INDEX IF NOT EXISTS exchanges_cat_ex_id_idx ON exchanges (cat_ex_id);
CREATE TABLE IF NOT EXISTS symbols (
  symbol_id SERIAL PRIMARY KEY,
  symbol TEXT NOT NULL,
  cat_ex_id INTEGER NOT NULL REFERENCES cat_exchanges (cat_ex_id) ON DELETE CASCADE,
  updateframe TEXT NOT NULL DEFAULT '1h',
  backtest INTEGER NOT NULL DEFAULT 2,
  decimals INTEGER NOT NULL DEFAULT 8,
  base TEXT,
  quote TEXT,
  ex_base TEXT,
  futures BOOLEAN NOT NULL DEFAULT false,
  only_ticker BOOLEAN NOT NULL DEFAULT false,
  CONSTRAINT symbols_symbol_cat_ex_id_key UNIQUE (symbol, cat_ex_id)
);
CREATE INDEX IF NOT EXISTS symbols_cat_ex_id_idx ON symbols (cat_ex_id);
CREATE INDEX IF NOT EXISTS symbols_lower_symbol_idx ON symbols (lower(symbol) text_pattern_ops);
CREATE TABLE IF NOT EXISTS cat_strategies (
  cat_str_id SERIAL PRIMARY KEY,
  name TEXT NOT NULL,
  take_profit DOUBLE PRECISION,
  stop_loss DOUBLE PRECISION,
  trailing_stop DOUBLE PRECISION,
  timeout DOUBLE PRECISION,
  pre_load_bars INTEGER NOT NULL DEFAULT 200,
  feeds INTEGER NOT NULL DEFAULT 1,
  pairs BOOLEAN NOT NULL DEFAULT false,
  CONSTRAINT cat_strategies_name_key UNIQUE (name)
);
CREATE TABLE IF NOT EXISTS cat_strategies_params (
  cat_str_par_id SERIAL PRIMARY KEY,
  cat_str_id INTEGER NOT NULL REFERENCES cat_strategies (cat_str_id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value TEXT,
  CONSTRAINT cat_strategies_params_name_key UNIQUE (cat_str_id, name)
);
CREATE TABLE IF NOT EXISTS bots (
  bot_id SERIAL PRIMARY KEY,
  uid INTEGER NOT NULL REFERENCES users (uid) ON DELETE CASCADE,
  name TEXT NOT NULL,
  dry_run BOOLEAN NOT NULL DEFAULT true,
  active BOOLEAN NOT NULL DEFAULT false,
  timestamp TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS bots_uid_idx ON bots (uid);
CREATE TABLE IF NOT EXISTS bot_exchanges (
  bot_id INTEGER NOT NULL REFERENCES bots (bot_id) ON DELETE CASCADE,
  ex_id INTEGER NOT NULL REFERENCES exchanges (ex_id) ON DELETE CASCADE,
  PRIMARY KEY (bot_id, ex_id)
);
CREATE INDEX IF NOT EXISTS bot_exchanges_ex_id_idx ON bot_exchanges (ex_id);
CREATE TABLE IF NOT EXISTS bot_log (
  log_id SERIAL PRIMARY KEY,
  bot_id INTEGER NOT NULL REFERENCES bots (bot_id) ON DELETE CASCADE,
  ex_id INTEGER REFERENCES exchanges (ex_id) ON DELETE SET NULL,
  symbol TEXT,
  position TEXT,
  message TEXT,
  feed_num INTEGER,
  timestamp TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS bot_log_bot_id_idx ON bot_log (bot_id, timestamp);
CREATE TABLE IF NOT EXISTS strategies (
  str_id SERIAL PRIMARY KEY,
  bot_id INTEGER NOT NULL REFERENCES bots (bot_id) ON DELETE CASCADE,
  cat_str_id INTEGER NOT NULL REFERENCES cat_strategies (cat_str_id),
  take_profit DOUBLE PRECISION,
  stop_loss DOUBLE PRECISION,
  trailing_stop DOUBLE PRECISION,
  timeout DOUBLE PRECISION,
  leverage DOUBLE PRECISION NOT NULL DEFAULT 1,
  size_pct DOUBLE PRECISION,
  size DOUBLE PRECISION,
  size_currency TEXT NOT NULL DEFAULT 'USD',
  pre_load_bars INTEGER NOT NULL DEFAULT 200,
  feeds INTEGER NOT NULL DEFAULT 1,
  pairs BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS strategies_bot_id_idx ON strategies (bot_id);
CREATE INDEX IF NOT EXISTS strategies_cat_str_id_idx ON strategies (cat_str_id);
CREATE TABLE IF NOT EXISTS strategies_params (
  str_par_id SERIAL PRIMARY KEY,
  str_id INTEGER NOT NULL REFERENCES strategies (str_id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value TEXT,
  CONSTRAINT strategies_params_name_key UNIQUE (str_id, name)
);
CREATE TABLE IF NOT EXISTS feeds (
  feed_id SERIAL PRIMARY KEY,
  str_id INTEGER NOT NULL REFERENCES strategies (str_id) ON DELETE CASCADE,
  symbol_id INTEGER NOT NULL REFERENCES symbols (symbol_id),
  period TEXT NOT NULL DEFAULT 'minutes',
  compression INTEGER NOT NULL DEFAULT 1,
  "order" INTEGER NOT NULL DEFAULT 1,
  CONSTRAINT feeds_order_key UNIQUE (str_id, "order")
);
CREATE INDEX IF NOT EXISTS feeds_symbol_id_idx ON feeds (symbol_id);
CREATE TABLE IF NOT EXISTS orders (
  order_id SERIAL PRIMARY KEY,
  bot_id INTEGER REFERENCES bots (bot_id) ON DELETE CASCADE,
  uid INTEGER NOT NULL REFERENCES users (uid) ON DELETE CASCADE,
  ex_id INTEGER REFERENCES exchanges (ex_id) ON DELETE SET NULL,
  ex_order_id TEXT,
  cat_ex_id INTEGER REFERENCES cat_exchanges (cat_ex_id),
  exchange TEXT,
  symbol TEXT NOT NULL,
  order_type TEXT NOT NULL,
  side TEXT NOT NULL,
  volume DOUBLE PRECISION NOT NULL,
  final_volume DOUBLE PRECISION,
  price DOUBLE PRECISION,
  plimit DOUBLE PRECISION,
  tick DOUBLE PRECISION,
  futures BOOLEAN NOT NULL DEFAULT false,
  leverage DOUBLE PRECISION,
  status TEXT NOT NULL DEFAULT 'New',
  command TEXT,
  reason TEXT,
  timestamp TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS orders_bot_id_idx ON orders (bot_id, timestamp);
CREATE INDEX IF NOT EXISTS orders_uid_status_idx ON orders (uid, status);
CREATE TABLE IF NOT EXISTS trades (
  trade_id SERIAL PRIMARY KEY,
  ex_trade_id TEXT,
  ex_order_id TEXT,
  uid INTEGER NOT NULL REFERENCES users (uid) ON DELETE CASCADE,
  ex_id INTEGER REFERENCES exchanges (ex_id) ON DELETE SET NULL,
  bot_id INTEGER REFERENCES bots (bot_id) ON DELETE CASCADE,
  symbol TEXT NOT NULL,
  order_type TEXT NOT NULL,
  side TEXT NOT NULL,
  volume DOUBLE PRECISION NOT NULL,
  price DOUBLE PRECISION NOT NULL,
  cost DOUBLE PRECISION NOT NULL,
  fee DOUBLE PRECISION NOT NULL DEFAULT 0,
  cur_volume DOUBLE PRECISION,
  cur_avg_price DOUBLE PRECISION,
  cur_avg_cost DOUBLE PRECISION,
  cur_fee DOUBLE PRECISION,
  roi DOUBLE PRECISION,
  roi_pct DOUBLE PRECISION,
  total_fee DOUBLE PRECISION,
  leverage DOUBLE PRECISION,
  time TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS trades_bot_id_idx ON trades (bot_id, time);
CREATE INDEX IF NOT EXISTS trades_uid_idx ON trades (uid);
CREATE UNIQUE INDEX IF NOT EXISTS trades_ex_trade_id_key ON trades (ex_id, ex_trade_id) WHERE ex_trade_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS dry_trades (
  trade_id SERIAL PRIMARY KEY,
  bot_id INTEGER NOT NULL REFERENCES bots (bot_id) ON DELETE CASCADE,
  uid INTEGER NOT NULL REFERENCES users (uid) ON DELETE CASCADE,
  ex_id INTEGER REFERENCES exchanges (ex_id) ON DELETE SET NULL,
  symbol TEXT NOT NULL,
  order_type TEXT NOT NULL DEFAULT 'market',
  side TEXT NOT NULL,
  volume DOUBLE PRECISION NOT NULL,
  price DOUBLE PRECISION NOT NULL,
  cost DOUBLE PRECISION NOT NULL,
  fee DOUBLE PRECISION NOT NULL DEFAULT 0,
  roi DOUBLE PRECISION,
  roi_pct DOUBLE PRECISION,
  reason TEXT,
  closingtrade BOOLEAN NOT NULL DEFAULT false,
  timestamp TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS dry_trades_bot_id_idx ON dry_trades (bot_id, timestamp);
CREATE INDEX IF NOT EXISTS dry_trades_uid_idx ON dry_trades (uid)
`,
};
