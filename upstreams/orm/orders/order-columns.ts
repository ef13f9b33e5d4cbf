// The order projection every /orders answer uses.
export const ORDER_COLUMNS = `order_id, bot_id, uid, ex_id, ex_order_id, cat_ex_id, exchange, symbol, order_type, side, volume, final_volume,
  price, plimit, tick, futures, leverage, status, command, reason, timestamp`;
