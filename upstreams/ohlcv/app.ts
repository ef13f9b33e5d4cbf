// Builds the ohlcv upstream's fastify app over an open database: every route
// group wired to the shared bootstrap (assertion hook, {"detail"} errors).
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Db } from '../common/db.ts';
import { createLogger } from '../common/logger.ts';
import { createUpstreamApp } from '../common/server.ts';
import { registerLegacyCandleRoutes } from './candles/legacy-routes.ts';
import { registerCandleRoutes } from './candles/routes.ts';
import { registerCatalogRoutes } from './catalog/routes.ts';
import { registerHealthRoutes } from './health/routes.ts';
import { registerIngestRoutes } from './ingest/routes.ts';
import { LiveHub } from './live/hub.ts';
import { createLiveNotifier } from './live/notify.ts';
import { registerLiveRoutes } from './live/routes.ts';
import { registerOhlcvMetrics } from './metrics/ohlcv-metrics.ts';
import { OHLCV_DEFAULTS } from './settings.ts';
import { registerTimeframeRoutes } from './timeframes/routes.ts';
import { registerTradeRoutes } from './trades/routes.ts';

export interface OhlcvAppOptions {
  db: Db;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  live?: { maxSubscriptionsPerSocket?: number; maxBufferedBytes?: number; maxMessageBytes?: number };
  /** Rows a range read without `limit` may return (tests lower it). */
  rangeMaxRows?: number;
}

export interface OhlcvApp {
  app: FastifyInstance;
  hub: LiveHub;
  /** Resolves when every queued live push has gone out. */
  liveIdle(): Promise<void>;
}

export async function createOhlcvApp(options: OhlcvAppOptions): Promise<OhlcvApp> {
  const logger = options.logger ?? createLogger('ohlcv_api');
  const app = createUpstreamApp({ name: 'ohlcv_api', logger, env: options.env, bodyLimit: OHLCV_DEFAULTS.bodyLimitBytes });
  const live = { ...OHLCV_DEFAULTS.live, ...options.live };
  await app.register(websocket, { options: { maxPayload: live.maxMessageBytes } });
  const hub = new LiveHub(live);
  const notifier = createLiveNotifier(options.db, hub, logger);
  registerHealthRoutes(app, options.db);
  registerTimeframeRoutes(app);
  registerCatalogRoutes(app, options.db);
  const reads = { db: options.db, rangeMaxRows: options.rangeMaxRows ?? OHLCV_DEFAULTS.rangeMaxRows };
  registerCandleRoutes(app, reads);
  registerTradeRoutes(app, reads);
  registerIngestRoutes(app, options.db, notifier);
  registerLiveRoutes(app, hub, live.maxSubscriptionsPerSocket);
  registerLegacyCandleRoutes(app, reads);
  registerOhlcvMetrics(app, options.db, hub);
  return { app, hub, liveIdle: () => notifier.idle() };
}
