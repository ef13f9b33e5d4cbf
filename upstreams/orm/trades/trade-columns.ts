// One projection over dry_trades and trades, tagged with `kind`, so by-bot
// listings and stats read both tables the same way in SQL.
export const ALL_TRADES = `(
  SELECT 'dry' AS kind, trade_id, bot_id, uid, ex_id, symbol, order_type, side, volume, price, cost, fee, roi, roi_pct,
         reason, closingtrade, NULL::text AS ex_trade_id, NULL::text AS ex_order_id, timestamp AS time
  FROM dry_trades
  UNION ALL
  SELECT 'live' AS kind, trade_id, bot_id, uid, ex_id, symbol, order_type, side, volume, price, cost, fee, roi, roi_pct,
         NULL::text AS reason, NULL::boolean AS closingtrade, ex_trade_id, ex_order_id, time
  FROM trades
) t`;
