// fullon_cache's Redis layout (keys and channels), so fullon daemons that write
// Redis and this service that reads it agree. The optional prefix gives `prefix:key`.

export interface CacheLayout {
  tickers(exchange: string): string;
  tickerChannel(exchange: string, symbol: string): string;
  orderStatus(exId: string): string;
  newOrders(id: string): string;
  trades(exchange: string, symbol: string): string;
  userTrades(uid: string, exchange: string): string;
  accounts(): string;
  accountPositions(): string;
  botStatus(): string;
  blockExchange(): string;
  ohlcv(symbol: string, timeframe: string): string;
  processData(processId: string): string;
  activeProcesses(type: string): string;
  components(): string;
  processChannel(type: string): string;
}

/** Process types fullon registers under `active:{type}`. */
export const PROCESS_TYPES = ['tick', 'ohlcv', 'bot', 'account', 'order', 'bot_status_service', 'crawler', 'user_trades_service', 'services'] as const;

export function createLayout(prefix = ''): CacheLayout {
  const k = (key: string) => (prefix ? `${prefix}:${key}` : key);
  return {
    tickers: (exchange) => k(`tickers:${exchange}`),
    tickerChannel: (exchange, symbol) => k(`ticker_updates:${exchange}:${symbol}`),
    orderStatus: (exId) => k(`order_status:${exId}`),
    newOrders: (id) => k(`new_orders:${id}`),
    // fullon drops the "/" of the symbol in trade list keys.
    trades: (exchange, symbol) => k(`trades:${exchange}:${symbol.replaceAll('/', '')}`),
    userTrades: (uid, exchange) => k(`user_trades:${uid}:${exchange}`),
    accounts: () => k('accounts'),
    accountPositions: () => k('account_positions'),
    botStatus: () => k('bot_status'),
    blockExchange: () => k('block_exchange'),
    ohlcv: (symbol, timeframe) => k(`ohlcv:${symbol}:${timeframe}`),
    processData: (processId) => k(`data:${processId}`),
    activeProcesses: (type) => k(`active:${type}`),
    components: () => k('components'),
    processChannel: (type) => k(`process:broadcast:${type}`),
  };
}
