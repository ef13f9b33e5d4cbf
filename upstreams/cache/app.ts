// Builds the cache upstream from its parts: store (Redis or in-process), stream
// hub, privacy policy, HTTP routes and WebSocket routes. main.ts only adds env
// and the listener, so tests build the same app in-process.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { loadServiceSigner } from '../common/service-assertion.ts';
import { createUpstreamApp } from '../common/server.ts';
import type { CacheDeps } from './actions/types.ts';
import { registerHealthRoute } from './http/health.ts';
import { registerPrivateRoutes } from './http/private-writes.ts';
import { registerTickerRoutes } from './http/tickers.ts';
import { registerCacheMetrics } from './metrics/cache-metrics.ts';
import { AccessPolicy } from './privacy/access.ts';
import { OwnershipClient } from './privacy/ownership.ts';
import type { CacheSettings } from './settings.ts';
import { createStore } from './store/create-store.ts';
import { createLayout } from './store/layout.ts';
import type { CacheStore } from './store/types.ts';
import { StreamHub } from './streams/hub.ts';
import { registerWebSocketRoutes } from './ws/routes.ts';

export interface CacheAppOptions {
  settings: CacheSettings;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  /** A ready store (tests); otherwise created from settings.redisUrl. */
  store?: CacheStore;
  onOverflow?: () => void;
}

export interface CacheApp {
  app: FastifyInstance;
  store: CacheStore;
  hub: StreamHub;
  connections: () => number;
  /** Sockets and subscriptions a user holds now (per-user caps, ws/user-quota.ts). */
  usageOf: (userId: number) => { sockets: number; subscriptions: number };
}

export async function createCacheApp(options: CacheAppOptions): Promise<CacheApp> {
  const { settings, logger } = options;
  const env = options.env ?? process.env;
  const store = options.store ?? createStore(settings.redisUrl);
  const hub = new StreamHub(store);
  const ownership = new OwnershipClient({ ormUrl: settings.ormUrl, ttlMs: settings.ownershipTtlMs, signer: loadServiceSigner(env) });
  const deps: CacheDeps = { store, layout: createLayout(settings.keyPrefix), access: new AccessPolicy(ownership), settings };

  store.onStatus((status, error) => {
    if (status === 'down') logger.warn({ err: error }, 'cache store unreachable; reconnecting');
    else logger.info('cache store reachable again');
  });

  const app = createUpstreamApp({ name: 'cache_api', logger, env, bodyLimit: 1024 * 1024 });
  registerHealthRoute(app, store);
  registerTickerRoutes(app, deps);
  registerPrivateRoutes(app, deps);
  const ws = await registerWebSocketRoutes(app, { deps, hub, logger, onOverflow: options.onOverflow });
  registerCacheMetrics(app, { store, hub, connections: ws.connections });
  app.addHook('onClose', async () => {
    hub.close();
    if (!options.store) await store.close();
  });
  return { app, store, hub, connections: ws.connections, usageOf: ws.usageOf };
}
