// orm upstream process: open the database (Postgres via DATABASE_URL, else
// PGlite under DATA_DIR/orm), migrate, ensure the admin account, listen.
import { openDatabase } from '../common/db.ts';
import { createLogger } from '../common/logger.ts';
import { listenFromEnv } from '../common/server.ts';
import { startUpstream } from '../common/startup-failure.ts';
import { createOrmApp } from './app.ts';
import { migrateOrm, ORM_SCHEMA } from './migrations/index.ts';
import { readOrmSettings } from './settings.ts';
import { ensureAdminUser } from './users/admin-bootstrap.ts';

const logger = createLogger('orm_api');
await startUpstream(logger, { databaseVariable: 'DATABASE_URL' }, async () => {
  const settings = readOrmSettings();
  const db = await openDatabase({ url: settings.databaseUrl, dataDir: settings.dataDir, name: 'orm', schema: ORM_SCHEMA, logger });
  const applied = await migrateOrm(db);
  logger.info({ applied, database: db.kind }, 'migrations applied');
  await ensureAdminUser({ db, mail: settings.adminMail, password: settings.adminPassword, rounds: settings.bcryptRounds, logger, dataDir: settings.dataDir });
  const app = createOrmApp({ db, settings, logger });
  await listenFromEnv({ app, logger, onClose: () => db.close() });
});
