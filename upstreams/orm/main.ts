// orm upstream process: open the database (Postgres via DATABASE_URL, else
// PGlite under DATA_DIR/orm), migrate, ensure the admin account, listen.
import { openDatabase, willCreateDatabase } from '../common/db.ts';
import { createLogger } from '../common/logger.ts';
import { listenFromEnv } from '../common/server.ts';
import { startUpstream } from '../common/startup-failure.ts';
import { createOrmApp } from './app.ts';
import { migrateOrm, ORM_SCHEMA } from './migrations/index.ts';
import { readOrmSettings } from './settings.ts';
import { ensureAdminUser, prepareAdminPassword } from './users/admin-bootstrap.ts';

// Only when run (not when the install's warm-up imports it for the compile cache).
if (import.meta.main) {
  const logger = createLogger('orm_api');
  await startUpstream(logger, { databaseVariable: 'DATABASE_URL' }, async () => {
    const settings = readOrmSettings();
    const database = { url: settings.databaseUrl, dataDir: settings.dataDir, name: 'orm' };
    // A new embedded database has no users: the admin's bcrypt starts now, in
    // libuv's threadpool, and runs while the database is copied and opened (the
    // longest part of a first `npm start`, docs/cold-start.md).
    const prepared = willCreateDatabase(database) ? prepareAdminPassword(settings.adminPassword, settings.bcryptRounds) : undefined;
    const db = await openDatabase({ ...database, schema: ORM_SCHEMA, logger });
    const applied = await migrateOrm(db);
    logger.info({ applied, database: db.kind }, 'migrations applied');
    const admin = ensureAdminUser({ db, mail: settings.adminMail, password: settings.adminPassword, rounds: settings.bcryptRounds, logger, dataDir: settings.dataDir, prepared });
    // Failing here is the start's failure (awaited by listenFromEnv); the handler only keeps Node from calling it unhandled meanwhile.
    admin.catch(() => {});
    const app = createOrmApp({ db, settings, logger });
    // The routes compile while the account is made; the port opens once it exists.
    await listenFromEnv({ app, logger, openAfter: admin, onClose: () => db.close() });
  });
}
