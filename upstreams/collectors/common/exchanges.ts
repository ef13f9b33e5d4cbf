// ccxt exchange instances for the collectors: rate limits on (enableRateLimit),
// a request timeout, and EXCHANGE_URLS pointing an exchange's REST API at another
// server (the fake exchange, a proxy). An id ccxt does not know is refused with
// UnknownExchangeError so the caller can skip it and say so.
import ccxt, { type Exchange } from 'ccxt';

export class UnknownExchangeError extends Error {
  constructor(id: string) {
    super(`unknown exchange id "${id}" (not supported by ccxt ${ccxt.version})`);
    this.name = 'UnknownExchangeError';
  }
}

export interface ExchangeOptions {
  urls: Record<string, string>;
  timeoutMs: number;
  /** Milliseconds between requests when set (tests); else the exchange's own ccxt rateLimit. */
  rateLimitMs?: number | undefined;
  credentials?: { apiKey: string; secret: string; password?: string | undefined } | undefined;
  /** ccxt.pro's class (REST plus the built-in watch* WebSocket methods) when the exchange has one. */
  websocket?: boolean;
}

export function isKnownExchange(id: string): boolean {
  return (ccxt.exchanges as string[]).includes(id);
}

export function createExchange(id: string, options: ExchangeOptions): Exchange {
  if (!isKnownExchange(id)) throw new UnknownExchangeError(id);
  type ExchangeClass = new (config: Record<string, unknown>) => Exchange;
  const pro = (ccxt as unknown as { pro: Record<string, ExchangeClass | undefined> }).pro;
  const Constructor = (options.websocket && pro[id]) || (ccxt as unknown as Record<string, ExchangeClass>)[id]!;
  const exchange = new Constructor({
    enableRateLimit: true,
    timeout: options.timeoutMs,
    ...(options.rateLimitMs ? { rateLimit: options.rateLimitMs } : {}),
    ...(options.credentials ?? {}),
  });
  const base = options.urls[id];
  if (base) exchange.urls.api = redirect(exchange.urls.api, base);
  return exchange;
}

/** Every REST and WebSocket host of the exchange's `urls.api` (a string or nested object) becomes `base` (ws:// for WebSockets). */
function redirect(api: unknown, base: string): any {
  if (typeof api === 'string' && /^https?:\/\//.test(api)) return base + new URL(api).pathname.replace(/\/$/, '');
  if (typeof api === 'string' && /^wss?:\/\//.test(api)) return base.replace(/^http/, 'ws') + new URL(api).pathname.replace(/\/$/, '');
  if (api && typeof api === 'object') return Object.fromEntries(Object.entries(api).map(([key, value]) => [key, redirect(value, base)]));
  return api;
}

/** Whether an exchange error is worth retrying (network, 429, 5xx, garbage) or not (auth, bad symbol). */
export function isPermanent(error: unknown): boolean {
  return error instanceof ccxt.AuthenticationError || error instanceof ccxt.PermissionDenied || error instanceof ccxt.BadSymbol || error instanceof UnknownExchangeError;
}
