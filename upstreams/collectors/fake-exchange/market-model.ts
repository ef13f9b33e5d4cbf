// The fake exchange's deterministic market: every price, candle and trade is a
// pure function of the pair and the time, so a test can compute what a collector
// must have stored, and two runs see the same market.

export interface FakePair {
  /** Kraken pair id (result key), e.g. XXBTZUSD. */
  id: string;
  altname: string;
  wsname: string;
  /** Kraken asset ids, e.g. XXBT / ZUSD. */
  base: string;
  quote: string;
  /** ccxt's unified symbol for the pair. */
  symbol: string;
  basePrice: number;
  index: number;
}

export const TRADE_EVERY_MS = 5_000;

/** The named pairs first (kraken's real ids), then T1/USD, T2/USD... up to `count`. */
export function makePairs(count: number): FakePair[] {
  const named: Array<Omit<FakePair, 'index'>> = [
    { id: 'XXBTZUSD', altname: 'XBTUSD', wsname: 'XBT/USD', base: 'XXBT', quote: 'ZUSD', symbol: 'BTC/USD', basePrice: 43_000 },
    { id: 'XBTUSDC', altname: 'XBTUSDC', wsname: 'XBT/USDC', base: 'XXBT', quote: 'USDC', symbol: 'BTC/USDC', basePrice: 43_010 },
    { id: 'XETHZUSD', altname: 'ETHUSD', wsname: 'ETH/USD', base: 'XETH', quote: 'ZUSD', symbol: 'ETH/USD', basePrice: 2_300 },
    { id: 'XBTUSDT', altname: 'XBTUSDT', wsname: 'XBT/USDT', base: 'XXBT', quote: 'USDT', symbol: 'BTC/USDT', basePrice: 43_005 },
  ];
  const pairs: FakePair[] = named.slice(0, count).map((pair, index) => ({ ...pair, index }));
  for (let i = pairs.length; i < count; i++) {
    const n = i - named.length + 1;
    pairs.push({ id: `T${n}USD`, altname: `T${n}USD`, wsname: `T${n}/USD`, base: `T${n}`, quote: 'ZUSD', symbol: `T${n}/USD`, basePrice: 1 + (n % 97) * 3.5, index: i });
  }
  return pairs;
}

/** Price of a pair at time t (ms): slow and fast waves around its base price. */
export function priceAt(pair: FakePair, t: number): number {
  const phase = pair.index * 0.7;
  const slow = Math.sin((2 * Math.PI * t) / 3_600_000 + phase) * 0.01;
  const fast = Math.sin((2 * Math.PI * t) / 97_000 + phase * 1.3) * 0.002;
  return round(pair.basePrice * (1 + slow + fast), pair.basePrice > 100 ? 1 : 4);
}

export interface FakeCandle {
  time: number; // ms, start of the minute
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  count: number;
}

/** The 1-minute candle starting at `minute` (ms), cut at `now` when it is still open. */
export function candleAt(pair: FakePair, minute: number, now: number): FakeCandle {
  // An open candle ends at the current price step, like the ticker.
  const end = Math.min(minute + 59_000, now);
  let high = -Infinity;
  let low = Infinity;
  for (let t = minute; t <= end; t += 1_000) {
    const p = priceAt(pair, t);
    if (p > high) high = p;
    if (p < low) low = p;
  }
  const open = priceAt(pair, minute);
  const close = priceAt(pair, end);
  const trades = tradesBetween(pair, minute, end + 1);
  const volume = round(trades.reduce((sum, trade) => sum + trade.volume, 0), 8);
  return { time: minute, open, high: Math.max(high, open, close), low: Math.min(low, open, close), close, volume, count: trades.length };
}

export interface FakeTrade {
  time: number; // ms
  price: number;
  volume: number;
  side: 'b' | 's';
  id: number;
}

/** Trades with from <= time < to: one every TRADE_EVERY_MS, offset per pair. */
export function tradesBetween(pair: FakePair, from: number, to: number, limit = Infinity): FakeTrade[] {
  const offset = (pair.index * 137) % TRADE_EVERY_MS;
  const trades: FakeTrade[] = [];
  let k = Math.ceil((from - offset) / TRADE_EVERY_MS);
  for (let t = k * TRADE_EVERY_MS + offset; t < to && trades.length < limit; k++, t = k * TRADE_EVERY_MS + offset) {
    trades.push({ time: t, price: priceAt(pair, t), volume: round(0.01 + ((k * 7919 + pair.index) % 100) / 1000, 8), side: (k + pair.index) % 2 === 0 ? 'b' : 's', id: k });
  }
  return trades;
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
