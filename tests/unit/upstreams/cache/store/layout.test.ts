// The key layout is fullon_cache's, optionally prefixed.
import { describe, expect, it } from 'vitest';
import { createLayout } from '../../../../../upstreams/cache/store/layout.ts';

describe('createLayout', () => {
  const plain = createLayout();
  it.each([
    [plain.tickers('kraken'), 'tickers:kraken'],
    [plain.tickerChannel('kraken', 'BTC/USDT'), 'ticker_updates:kraken:BTC/USDT'],
    [plain.orderStatus('3'), 'order_status:3'],
    [plain.newOrders('3'), 'new_orders:3'],
    [plain.trades('kraken', 'BTC/USDT'), 'trades:kraken:BTCUSDT'],
    [plain.userTrades('5', 'kraken'), 'user_trades:5:kraken'],
    [plain.accounts(), 'accounts'],
    [plain.accountPositions(), 'account_positions'],
    [plain.botStatus(), 'bot_status'],
    [plain.blockExchange(), 'block_exchange'],
    [plain.ohlcv('BTC/USDT', '1m'), 'ohlcv:BTC/USDT:1m'],
    [plain.processData('p1'), 'data:p1'],
    [plain.activeProcesses('tick'), 'active:tick'],
    [plain.components(), 'components'],
    [plain.processChannel('tick'), 'process:broadcast:tick'],
  ])('%s is fullon\'s %s', (actual, expected) => {
    expect(actual).toBe(expected);
  });

  it('puts the prefix in front of keys and channels as prefix:key', () => {
    const prefixed = createLayout('prod');
    expect(prefixed.tickers('kraken')).toBe('prod:tickers:kraken');
    expect(prefixed.tickerChannel('kraken', 'ETH/USD')).toBe('prod:ticker_updates:kraken:ETH/USD');
  });
});
