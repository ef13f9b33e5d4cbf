// How the cache's order and blocking actions name an exchange. fullon_cache keys
// these hashes by whatever its caller passed: the exchange *name* ("binance", as
// the original's clients send it; order_status:binance) or an ex_id
// (order_status:3). Both are accepted; the stored key is the value as given.
import { invalidParams } from './errors.ts';
import type { Params } from './params.ts';

export type ExchangeRef =
  | { kind: 'id'; exId: number; key: string }
  | { kind: 'name'; key: string };

/** Exchange names as fullon's catalogue spells them (binance, kraken, hyperliquid, bitmex...). */
export const EXCHANGE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function requireExchange(params: Params, names: string[], message: string): ExchangeRef {
  for (const name of names) {
    const value = params[name];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) {
      const exId = Number(value);
      if (!Number.isSafeInteger(exId) || exId < 0) throw invalidParams(`${name} must be an exchange name or a non-negative ex_id`);
      return { kind: 'id', exId, key: String(exId) };
    }
    if (typeof value === 'string' && EXCHANGE_NAME.test(value)) return { kind: 'name', key: value };
    throw invalidParams(`${name} must be an exchange name (letters, digits, _ . -) or a non-negative ex_id`);
  }
  throw invalidParams(message);
}
