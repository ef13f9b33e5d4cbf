// Schema v5, what fullon clients send and the analytics read:
// - one id space for dry and live trades (dry_trades draws from the trades
//   sequence), so /trades/{trade_id} names exactly one trade;
// - strategies carry a name and an active flag, symbols a quantity precision and
//   an active flag (fields fullon clients set);
// - indexes for the per-user, time-ranged analytics (trades, dry trades, orders),
//   so a range read is an index scan, never a scan of everyone's history.
import type { Migration } from '../../common/migrations.ts';

export const analyticsMigration: Migration = {
  version: 5,
  name: 'analytics and fullon client fields',
  sql: `
ALTER TABLE dry_trades ALTER COLUMN trade_id SET DEFAULT nextval('trades_trade_id_seq');
SELECT setval('trades_trade_id_seq', GREATEST((SELECT coalesce(max(trade_id), 0) FROM trades), (SELECT coalesce(max(trade_id), 0) FROM dry_trades)) + 1, false);
ALTER TABLE strategies ADD COLUMN IF NOT EXISTS name TEXT;
ALTER TABLE strategies ADD COLUMN IF NOT EXISTS active BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE symbols ADD COLUMN IF NOT EXISTS quantity_decimals INTEGER;
ALTER TABLE symbols ADD COLUMN IF NOT EXISTS active BOOLEAN NOT NULL DEFAULT true;
CREATE INDEX IF NOT EXISTS trades_uid_time_idx ON trades (uid, time);
CREATE INDEX IF NOT EXISTS trades_uid_symbol_time_idx ON trades (uid, symbol, time);
CREATE INDEX IF NOT EXISTS dry_trades_uid_time_idx ON dry_trades (uid, timestamp);
CREATE INDEX IF NOT EXISTS dry_trades_uid_symbol_time_idx ON dry_trades (uid, symbol, timestamp);
CREATE INDEX IF NOT EXISTS orders_uid_time_idx ON orders (uid, timestamp);
CREATE INDEX IF NOT EXISTS orders_uid_symbol_time_idx ON orders (uid, symbol, timestamp)
`,
};
