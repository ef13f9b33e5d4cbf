// The exchange-account projection: never the encrypted credentials, only whether
// some are stored, plus the catalog exchange's name.
export const USER_EXCHANGE_SELECT = `SELECT e.ex_id, e.uid, e.cat_ex_id, c.name AS exchange_name, e.name, e.test, e.test AS is_testnet, e.active,
  (e.credentials IS NOT NULL) AS has_credentials, e.timestamp
  FROM exchanges e JOIN cat_exchanges c ON c.cat_ex_id = e.cat_ex_id`;
