// Where the ohlcv collector resumes for one symbol: the newest stored 1-minute
// candle and the newest stored trade, asked from ohlcv_api. The newest stored
// minute is fetched again (it may have been written while still open); the
// store's upsert makes that idempotent, so a restart leaves neither a gap nor
// a duplicate.
import type { UpstreamClient } from '../common/upstream-client.ts';
import { pathSymbol } from '../common/upstream-client.ts';

export interface Cursor {
  candlesSince: number;
  tradesSince: number;
}

export async function resumeCursor(client: UpstreamClient, exchange: string, symbol: string, start: number): Promise<Cursor> {
  const path = `${encodeURIComponent(exchange)}/${pathSymbol(symbol)}`;
  const [candles, trades] = await Promise.all([
    client.get<{ candles: Array<{ timestamp: string }> }>('ohlcv_api', `/candles/${path}/1m?limit=1`),
    client.get<{ trades: Array<{ timestamp: string }> }>('ohlcv_api', `/trades/${path}?limit=1`),
  ]);
  const lastCandle = candles.candles.at(-1);
  const lastTrade = trades.trades.at(-1);
  return {
    candlesSince: lastCandle ? Date.parse(lastCandle.timestamp) : start,
    tradesSince: lastTrade ? Date.parse(lastTrade.timestamp) : start,
  };
}
