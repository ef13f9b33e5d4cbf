// What the orm says to follow, asked over its internal collector endpoints.
import type { UpstreamClient } from './upstream-client.ts';

export interface FollowedSymbol {
  symbol_id: number;
  symbol: string;
  cat_ex_id: number;
  exchange: string;
  /** Days of history the ohlcv collector backfills (fullon's symbols.backtest). */
  backtest: number;
  futures: boolean;
  only_ticker: boolean;
  bot_feeds: number;
}

export interface ExchangeAccount {
  ex_id: number;
  uid: number;
  cat_ex_id: number;
  exchange: string;
  name: string;
  test: boolean;
  credentials: { key: string; secret: string; passphrase?: string } | null;
}

export function fetchFollowedSymbols(client: UpstreamClient): Promise<FollowedSymbol[]> {
  return client.get<FollowedSymbol[]>('orm_api', '/internal/collectors/symbols');
}

export function fetchActiveAccounts(client: UpstreamClient): Promise<ExchangeAccount[]> {
  return client.get<ExchangeAccount[]>('orm_api', '/internal/collectors/accounts');
}

/** Symbols grouped by exchange id, each list sorted. */
export function groupByExchange<T extends { exchange: string }>(items: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(item.exchange) ?? [];
    list.push(item);
    groups.set(item.exchange, list);
  }
  return groups;
}
