// Entry point of the cache upstream process (supervised by the gateway):
// settings from env, the app, and the listener.
import { createLogger } from '../common/logger.ts';
import { listenFromEnv } from '../common/server.ts';
import { createCacheApp } from './app.ts';
import { readCacheSettings } from './settings.ts';

// Only when run (not when the install's warm-up imports it for the compile cache).
if (import.meta.main) {
  const logger = createLogger('cache_api');
  const settings = readCacheSettings();
  if (!settings.ormUrl) logger.warn('UPSTREAM_ORM_API_URL is not set: only admins can read private cache data');
  if (!settings.redisUrl) logger.info('REDIS_URL is not set: using the in-process store');
  const { app } = await createCacheApp({ settings, logger });
  await listenFromEnv({ app, logger });
}
