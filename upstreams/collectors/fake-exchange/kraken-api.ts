// The few Kraken REST endpoints the collectors use through ccxt, answered from the
// deterministic market model with the response shapes of Kraken's REST API
// documentation (docs.kraken.com, "Spot REST"): {"error": [], "result": {...}}.
// Private calls check Kraken's API-Key / API-Sign scheme against the test account.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { candleAt, priceAt, tradesBetween, type FakePair } from './market-model.ts';

export interface FakeAccount {
  apiKey: string;
  /** base64, as Kraken hands out secrets. */
  secret: string;
  balances: Record<string, number>;
}

export interface KrakenReply {
  status: number;
  body: unknown;
}

const OHLC_MAX = 720;
const TRADES_MAX = 1_000;

export class FakeKraken {
  readonly pairs: FakePair[];
  readonly byId = new Map<string, FakePair>();
  readonly byAltname = new Map<string, FakePair>();
  readonly account: FakeAccount;
  readonly tickMs: number;
  readonly #now: () => number;

  constructor(options: { pairs: FakePair[]; account: FakeAccount; tickMs: number; now?: () => number }) {
    this.pairs = options.pairs;
    for (const pair of this.pairs) {
      this.byId.set(pair.id, pair);
      this.byAltname.set(pair.altname, pair);
    }
    this.account = options.account;
    this.tickMs = options.tickMs;
    this.#now = options.now ?? Date.now;
  }

  /** Time of the current price: prices move once per tick. */
  tickTime(now = this.#now()): number {
    return Math.floor(now / this.tickMs) * this.tickMs;
  }

  handle(method: string, path: string, query: URLSearchParams, headers: Record<string, string | string[] | undefined>, body: string): KrakenReply {
    switch (`${method} ${path}`) {
      case 'GET /0/public/Time':
        return ok({ unixtime: Math.floor(this.#now() / 1000), rfc1123: new Date(this.#now()).toUTCString() });
      case 'GET /0/public/SystemStatus':
        return ok({ status: 'online', timestamp: new Date(this.#now()).toISOString() });
      case 'GET /0/public/Assets':
        return ok(this.#assets());
      case 'GET /0/public/AssetPairs':
        return ok(Object.fromEntries(this.pairs.map((pair) => [pair.id, assetPair(pair)])));
      case 'GET /0/public/Ticker':
        return this.#ticker(query);
      case 'GET /0/public/OHLC':
        return this.#ohlc(query);
      case 'GET /0/public/Trades':
        return this.#trades(query);
      case 'POST /0/private/Balance':
      case 'POST /0/private/BalanceEx':
      case 'POST /0/private/OpenPositions':
        return this.#private(path, headers, body);
      default:
        return { status: 404, body: { error: ['EGeneral:Unknown method'] } };
    }
  }

  #assets(): Record<string, unknown> {
    const ids = new Set(this.pairs.flatMap((pair) => [pair.base, pair.quote]));
    return Object.fromEntries([...ids].map((id) => [id, { aclass: 'currency', altname: altAsset(id), decimals: 10, display_decimals: 5, collateral_value: 1, status: 'enabled' }]));
  }

  #pairsOf(query: URLSearchParams): FakePair[] | KrakenReply {
    const names = (query.get('pair') ?? '').split(',').filter(Boolean);
    if (names.length === 0) return this.pairs;
    const found: FakePair[] = [];
    for (const name of names) {
      const pair = this.byId.get(name) ?? this.byAltname.get(name);
      if (!pair) return { status: 200, body: { error: ['EQuery:Unknown asset pair'] } };
      found.push(pair);
    }
    return found;
  }

  #ticker(query: URLSearchParams): KrakenReply {
    const pairs = this.#pairsOf(query);
    if (!Array.isArray(pairs)) return pairs;
    const t = this.tickTime();
    const result: Record<string, unknown> = {};
    for (const pair of pairs) {
      const last = priceAt(pair, t);
      const spread = pair.basePrice > 100 ? 0.1 : 0.0001;
      const open = priceAt(pair, Math.floor(t / 86_400_000) * 86_400_000);
      result[pair.id] = {
        a: [fmt(last + spread), '1', '1.000'],
        b: [fmt(last - spread), '1', '1.000'],
        c: [fmt(last), '0.01000000'],
        v: ['120.50000000', '1450.25000000'],
        p: [fmt(last), fmt(last)],
        t: [1200, 14500],
        l: [fmt(Math.min(open, last) * 0.99), fmt(Math.min(open, last) * 0.99)],
        h: [fmt(Math.max(open, last) * 1.01), fmt(Math.max(open, last) * 1.01)],
        o: fmt(open),
      };
    }
    return ok(result);
  }

  #ohlc(query: URLSearchParams): KrakenReply {
    const pairs = this.#pairsOf(query);
    if (!Array.isArray(pairs)) return pairs;
    const pair = pairs[0]!;
    if ((query.get('interval') ?? '1') !== '1') return { status: 200, body: { error: ['EGeneral:Invalid arguments:interval'] } };
    const now = this.#now();
    const current = Math.floor(now / 60_000) * 60_000;
    const sinceS = Number(query.get('since') ?? 0);
    // Kraken: committed candles after `since`, the last entry is the current (open) one.
    let from = Number.isFinite(sinceS) && sinceS > 0 ? (Math.floor(sinceS / 60) + 1) * 60_000 : current - (OHLC_MAX - 1) * 60_000;
    from = Math.max(from, current - 400 * 86_400_000);
    const rows: unknown[] = [];
    for (let minute = from; minute <= current && rows.length < OHLC_MAX; minute += 60_000) {
      const c = candleAt(pair, minute, now);
      rows.push([c.time / 1000, fmt(c.open), fmt(c.high), fmt(c.low), fmt(c.close), fmt((c.open + c.close) / 2), c.volume.toFixed(8), c.count]);
    }
    const lastTime = rows.length > 0 ? (rows[rows.length - 1] as number[])[0]! : Math.floor(current / 1000);
    return ok({ [pair.id]: rows, last: lastTime });
  }

  #trades(query: URLSearchParams): KrakenReply {
    const pairs = this.#pairsOf(query);
    if (!Array.isArray(pairs)) return pairs;
    const pair = pairs[0]!;
    const now = this.#now();
    const raw = query.get('since');
    // Kraken takes seconds or nanoseconds here; ccxt sends seconds.
    let sinceMs = raw ? Number(raw) : (now - 3_600_000) / 1000;
    if (sinceMs > 1e15) sinceMs = sinceMs / 1e6;
    else sinceMs = sinceMs * 1000;
    const count = Math.min(TRADES_MAX, Math.max(1, Number(query.get('count') ?? TRADES_MAX) || TRADES_MAX));
    const trades = tradesBetween(pair, Math.max(sinceMs, now - 400 * 86_400_000), now + 1, count);
    const rows = trades.map((t) => [fmt(t.price), t.volume.toFixed(8), t.time / 1000, t.side, 'm', '', t.id]);
    const last = trades.length > 0 ? String(trades[trades.length - 1]!.time * 1_000_000) : String(Math.floor(sinceMs) * 1_000_000);
    return ok({ [pair.id]: rows, last });
  }

  #private(path: string, headers: Record<string, string | string[] | undefined>, body: string): KrakenReply {
    if (!this.#signedByAccount(path, headers, body)) return { status: 200, body: { error: ['EAPI:Invalid key'] } };
    if (path.endsWith('/OpenPositions')) return ok({});
    const balances = this.#balancesNow();
    if (path.endsWith('/BalanceEx')) {
      return ok(Object.fromEntries(Object.entries(balances).map(([asset, amount]) => [asset, { balance: amount.toFixed(8), hold_trade: (amount * 0.1).toFixed(8) }])));
    }
    return ok(Object.fromEntries(Object.entries(balances).map(([asset, amount]) => [asset, amount.toFixed(8)])));
  }

  /** Balances move a little once a minute, so an account poller sees activity. */
  #balancesNow(): Record<string, number> {
    const minute = Math.floor(this.#now() / 60_000);
    return Object.fromEntries(Object.entries(this.account.balances).map(([asset, amount]) => [asset, amount + (minute % 10) * 0.001]));
  }

  /** Kraken: API-Sign = base64(HMAC-SHA512(base64-decoded secret, path + SHA256(nonce + body))). */
  #signedByAccount(path: string, headers: Record<string, string | string[] | undefined>, body: string): boolean {
    const key = headers['api-key'];
    const sign = headers['api-sign'];
    if (typeof key !== 'string' || typeof sign !== 'string' || key !== this.account.apiKey) return false;
    const nonce = new URLSearchParams(body).get('nonce') ?? safeJsonNonce(body);
    if (!nonce) return false;
    const digest = createHash('sha256').update(nonce + body).digest();
    const expected = createHmac('sha512', Buffer.from(this.account.secret, 'base64')).update(Buffer.concat([Buffer.from(path), digest])).digest();
    const given = Buffer.from(sign, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

function ok(result: unknown): KrakenReply {
  return { status: 200, body: { error: [], result } };
}

function assetPair(pair: FakePair): Record<string, unknown> {
  return {
    altname: pair.altname,
    wsname: pair.wsname,
    aclass_base: 'currency',
    base: pair.base,
    aclass_quote: 'currency',
    quote: pair.quote,
    lot: 'unit',
    cost_decimals: 5,
    pair_decimals: pair.basePrice > 100 ? 1 : 4,
    lot_decimals: 8,
    lot_multiplier: 1,
    leverage_buy: [],
    leverage_sell: [],
    fees: [[0, 0.26], [50_000, 0.24]],
    fees_maker: [[0, 0.16], [50_000, 0.14]],
    fee_volume_currency: 'ZUSD',
    margin_call: 80,
    margin_stop: 40,
    ordermin: '0.0001',
    costmin: '0.5',
    tick_size: pair.basePrice > 100 ? '0.1' : '0.0001',
    status: 'online',
  };
}

/** XXBT → XBT, ZUSD → USD, as Kraken's altnames. */
function altAsset(id: string): string {
  return id.length === 4 && (id.startsWith('X') || id.startsWith('Z')) ? id.slice(1) : id;
}

function fmt(value: number): string {
  return value.toFixed(value >= 100 ? 1 : 4);
}

function safeJsonNonce(body: string): string | null {
  try {
    const nonce = (JSON.parse(body) as { nonce?: unknown }).nonce;
    return nonce === undefined ? null : String(nonce);
  } catch {
    return null;
  }
}
