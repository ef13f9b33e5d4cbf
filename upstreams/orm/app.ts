// Builds the orm fastify app from an open database (used by main.ts and, with
// app.inject(), by the tests): common upstream bootstrap + every route module.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Db } from '../common/db.ts';
import { createLogger } from '../common/logger.ts';
import { createUpstreamApp } from '../common/server.ts';
import { addDatabaseMetrics, createMetricsRegistry, registerMetricsRoute } from '../common/metrics.ts';
import { registerApiKeyRoutes } from './api-keys/routes.ts';
import type { OrmContext } from './context.ts';
import { createCredentialCipher } from './exchanges/credential-cipher.ts';
import { resolveExchangeKey } from './exchanges/exchange-key.ts';
import { registerHealthRoutes } from './health/routes.ts';
import { registerRefuseNul } from './http/refuse-nul.ts';
import { registerInternalAuthRoutes } from './internal/auth-routes.ts';
import { registerAuthEventRoutes } from './internal/auth-events.ts';
import { registerInternalOwnershipRoutes } from './internal/ownership-routes.ts';
import { registerInternalCollectorRoutes } from './internal/collector-routes.ts';
import { readOrmSettings, type OrmSettings } from './settings.ts';
import { registerUserRoutes } from './users/routes.ts';
import { registerExchangeCatalogRoutes } from './exchanges/catalog-routes.ts';
import { registerUserExchangeRoutes } from './exchanges/user-exchange-routes.ts';
import { registerExchangeResolverRoutes } from './exchanges/resolver-routes.ts';
import { registerSymbolRoutes } from './symbols/routes.ts';
import { registerBotRoutes } from './bots/routes.ts';
import { registerBotActivityRoutes } from './bots/activity-routes.ts';
import { registerStrategyRoutes } from './strategies/routes.ts';
import { registerOrderRoutes } from './orders/routes.ts';
import { registerOrderAnalyticsRoutes } from './orders/analytics-routes.ts';
import { registerTradeRoutes } from './trades/routes.ts';
import { registerTradeAnalyticsRoutes } from './trades/analytics-routes.ts';
import { registerViewRoutes } from './views/routes.ts';
import { registerViewAnalyticsRoutes } from './views/analytics-routes.ts';

export interface OrmAppOptions {
  db: Db;
  env?: NodeJS.ProcessEnv;
  settings?: OrmSettings;
  logger?: Logger;
}

const ROUTE_MODULES: Array<(app: FastifyInstance, ctx: OrmContext) => void> = [
  registerHealthRoutes,
  registerUserRoutes,
  registerApiKeyRoutes,
  registerInternalAuthRoutes,
  registerAuthEventRoutes,
  registerInternalOwnershipRoutes,
  registerInternalCollectorRoutes,
  registerExchangeCatalogRoutes,
  registerUserExchangeRoutes,
  registerExchangeResolverRoutes,
  registerSymbolRoutes,
  registerBotRoutes,
  registerBotActivityRoutes,
  registerStrategyRoutes,
  registerOrderRoutes,
  registerOrderAnalyticsRoutes,
  registerTradeRoutes,
  registerTradeAnalyticsRoutes,
  registerViewRoutes,
  registerViewAnalyticsRoutes,
];

export function createOrmApp(options: OrmAppOptions): FastifyInstance {
  const env = options.env ?? process.env;
  const settings = options.settings ?? readOrmSettings(env);
  const logger = options.logger ?? createLogger('orm_api', env.LOG_LEVEL);
  const app = createUpstreamApp({ name: 'orm_api', logger, env, bodyLimit: 1024 * 1024 });
  const exchangeKey = resolveExchangeKey({ secret: settings.exchangeSecretKey, dataDir: settings.dataDir, logger });
  const ctx: OrmContext = { db: options.db, settings, logger, cipher: createCredentialCipher(exchangeKey.secret, logger) };
  registerRefuseNul(app);
  for (const register of ROUTE_MODULES) register(app, ctx);
  // Prometheus metrics (docs/metrics.md): the database pool, read at scrape time.
  const metrics = createMetricsRegistry('orm_api');
  addDatabaseMetrics(metrics, options.db);
  registerMetricsRoute(app, metrics);
  return app;
}
