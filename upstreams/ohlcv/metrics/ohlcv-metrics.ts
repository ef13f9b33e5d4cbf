// The ohlcv upstream's metrics (docs/metrics.md): its database pool and the live
// candle stream's subscribers, read at scrape time.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../common/db.ts';
import { addDatabaseMetrics, addScrapeGauge, createMetricsRegistry, registerMetricsRoute } from '../../common/metrics.ts';
import type { LiveHub } from '../live/hub.ts';

export function registerOhlcvMetrics(app: FastifyInstance, db: Db, hub: LiveHub): void {
  const registry = createMetricsRegistry('ohlcv_api');
  addDatabaseMetrics(registry, db);
  addScrapeGauge(registry, 'ohlcv_live_sockets', 'WebSockets subscribed to at least one live candle stream', () => hub.socketCount());
  addScrapeGauge(registry, 'ohlcv_live_subscriptions', 'Live candle subscriptions (pair and timeframe per socket)', () => hub.subscriptionCount());
  registerMetricsRoute(app, registry);
}
