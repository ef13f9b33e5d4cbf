// Entry point of the ohlcv upstream process: settings, store, app, listener.
import { createLogger } from '../common/logger.ts';
import { listenFromEnv } from '../common/server.ts';
import { startUpstream } from '../common/startup-failure.ts';
import { createOhlcvApp } from './app.ts';
import { openOhlcvDatabase } from './db/open.ts';
import { readOhlcvSettings } from './settings.ts';

// Only when run (not when the install's warm-up imports it for the compile cache).
if (import.meta.main) {
  const logger = createLogger('ohlcv_api');
  await startUpstream(logger, { databaseVariable: 'OHLCV_DATABASE_URL' }, async () => {
    const settings = readOhlcvSettings();
    const db = await openOhlcvDatabase(settings, logger);
    const { app } = await createOhlcvApp({ db, logger });
    await listenFromEnv({ app, logger, onClose: () => db.close() });
  });
}
