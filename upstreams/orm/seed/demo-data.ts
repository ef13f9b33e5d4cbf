// The fullon demo catalog as data: exchanges kraken, bitmex, hyperliquid, their
// demo symbols, and three bots with a strategy and feeds each. binance is there
// (an account, no bots) because fullon's example clients resolve "Binance" by
// name and the cache examples stream from it.
export interface DemoBot {
  name: string;
  exchange: string;
  dryRun: boolean;
  active: boolean;
  strategy: string;
  settings: { take_profit?: number; stop_loss?: number; size_pct?: number; leverage?: number };
  params: Record<string, string>;
  feeds: Array<{ symbol: string; period: 'minutes' | 'hours' | 'days'; compression: number }>;
}

export const DEMO_EXCHANGES = ['kraken', 'bitmex', 'hyperliquid', 'binance'] as const;

export const DEMO_SYMBOLS = [
  { symbol: 'BTC/USDC', exchange: 'kraken', decimals: 6, base: 'BTC', quote: 'USDC', ex_base: 'XBT', futures: false },
  { symbol: 'BTC/USD:BTC', exchange: 'bitmex', decimals: 1, base: 'BTC', quote: 'USD', ex_base: 'XBT', futures: true },
  { symbol: 'BTC/USDC:USDC', exchange: 'hyperliquid', decimals: 2, base: 'BTC', quote: 'USDC', ex_base: 'BTC', futures: true },
] as const;

/** Name of the exchange account the demo creates for the owner on each exchange. */
export const DEMO_ACCOUNT_NAME = 'demo';

export const DEMO_BOTS: readonly DemoBot[] = [
  {
    name: 'demo_kraken_trend', exchange: 'kraken', dryRun: true, active: false, strategy: 'trading101',
    settings: { take_profit: 2, stop_loss: 1, size_pct: 10 }, params: { rsi_period: '14' },
    feeds: [{ symbol: 'BTC/USDC', period: 'minutes', compression: 1 }, { symbol: 'BTC/USDC', period: 'hours', compression: 1 }],
  },
  {
    name: 'demo_bitmex_rsi', exchange: 'bitmex', dryRun: true, active: false, strategy: 'rsi_reversal',
    settings: { stop_loss: 1.5, size_pct: 5, leverage: 2 }, params: { rsi_low: '25', rsi_high: '75' },
    feeds: [{ symbol: 'BTC/USD:BTC', period: 'minutes', compression: 5 }],
  },
  {
    name: 'demo_hyperliquid_sma', exchange: 'hyperliquid', dryRun: true, active: false, strategy: 'sma_cross',
    settings: { size_pct: 20, leverage: 3 }, params: { fast: '10', slow: '50' },
    feeds: [{ symbol: 'BTC/USDC:USDC', period: 'minutes', compression: 15 }],
  },
];
