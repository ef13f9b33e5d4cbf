// The strategy projection: fullon's columns, the catalog name, its params as an
// object and its feeds (with symbol and exchange), one row per strategy.
export const STRATEGY_SELECT = `SELECT s.str_id, s.bot_id, s.cat_str_id, coalesce(s.name, cs.name) AS name, s.active, s.removed_at, cs.name AS cat_name, s.take_profit, s.stop_loss, s.trailing_stop,
  s.timeout, s.leverage, s.size_pct, s.size, s.size_currency, s.pre_load_bars, s.feeds, s.pairs,
  coalesce((SELECT jsonb_object_agg(p.name, p.value) FROM strategies_params p WHERE p.str_id = s.str_id), '{}'::jsonb) AS params,
  coalesce((SELECT jsonb_agg(jsonb_build_object('feed_id', f.feed_id, 'symbol_id', f.symbol_id, 'symbol', sy.symbol,
      'cat_ex_id', sy.cat_ex_id, 'period', f.period, 'compression', f.compression, 'order', f."order") ORDER BY f."order")
    FROM feeds f JOIN symbols sy ON sy.symbol_id = f.symbol_id WHERE f.str_id = s.str_id), '[]'::jsonb) AS feed_list
  FROM strategies s JOIN cat_strategies cs ON cs.cat_str_id = s.cat_str_id`;
