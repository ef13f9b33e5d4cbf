// Schema v3, the base catalog every fresh stack needs to create exchange accounts,
// bots with strategies and feeds without the opt-in demo seed: the fullon
// exchanges, their demo symbols and a few strategy templates. ON CONFLICT keeps
// rows an operator already loaded.
import type { Migration } from '../../common/migrations.ts';

export const catalogMigration: Migration = {
  version: 3,
  name: 'base catalog',
  sql: `
INSERT INTO cat_exchanges (name, ohlcv_view) VALUES ('kraken', ''), ('bitmex', ''), ('hyperliquid', '') ON CONFLICT (name) DO NOTHING;
INSERT INTO cat_exchanges_params (cat_ex_id, name, value)
  SELECT cat_ex_id, 'has_websocket', 'true' FROM cat_exchanges WHERE name IN ('kraken', 'bitmex', 'hyperliquid')
  ON CONFLICT (cat_ex_id, name) DO NOTHING;
INSERT INTO symbols (symbol, cat_ex_id, updateframe, backtest, decimals, base, quote, ex_base, futures)
  SELECT v.symbol, c.cat_ex_id, '1h', 2, v.decimals, v.base, v.quote, v.ex_base, v.futures
  FROM (VALUES ('BTC/USDC', 'kraken', 6, 'BTC', 'USDC', 'XBT', false),
               ('BTC/USD:BTC', 'bitmex', 1, 'BTC', 'USD', 'XBT', true),
               ('BTC/USDC:USDC', 'hyperliquid', 2, 'BTC', 'USDC', 'BTC', true))
       AS v (symbol, exchange, decimals, base, quote, ex_base, futures)
  JOIN cat_exchanges c ON c.name = v.exchange
  ON CONFLICT (symbol, cat_ex_id) DO NOTHING;
INSERT INTO cat_strategies (name, take_profit, stop_loss, trailing_stop, timeout, pre_load_bars, feeds, pairs) VALUES
  ('trading101', 2, 1, NULL, NULL, 200, 2, false),
  ('rsi_reversal', 3, 1.5, 1, 3600, 100, 1, false),
  ('sma_cross', NULL, 2, 1, NULL, 200, 1, false)
  ON CONFLICT (name) DO NOTHING;
INSERT INTO cat_strategies_params (cat_str_id, name, value)
  SELECT s.cat_str_id, v.name, v.value
  FROM (VALUES ('trading101', 'rsi_period', '14'), ('rsi_reversal', 'rsi_period', '14'), ('rsi_reversal', 'rsi_low', '30'),
               ('rsi_reversal', 'rsi_high', '70'), ('sma_cross', 'fast', '10'), ('sma_cross', 'slow', '50'))
       AS v (strategy, name, value)
  JOIN cat_strategies s ON s.name = v.strategy
  ON CONFLICT (cat_str_id, name) DO NOTHING
`,
};
