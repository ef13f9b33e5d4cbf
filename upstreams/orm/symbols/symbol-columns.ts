// The symbol projection shared by /symbols and /exchanges/catalog/{id}/symbols:
// fullon's columns plus the catalog exchange's name.
export const SYMBOL_SELECT = `SELECT s.symbol_id, s.symbol, s.cat_ex_id, c.name AS exchange_name, s.updateframe, s.backtest, s.decimals,
  s.base, s.quote, s.ex_base, s.futures, s.only_ticker, s.quantity_decimals, s.active,
  s.base AS base_asset, s.quote AS quote_asset, s.decimals AS price_decimals
  FROM symbols s JOIN cat_exchanges c ON c.cat_ex_id = s.cat_ex_id`;
