// `npm run seed:demo`: loads the fullon demo catalog into DATABASE_URL (or the
// PGlite under DATA_DIR/orm), owned by the admin account (ADMIN_MAIL; created
// from ADMIN_PASSWORD when missing). Idempotent: safe to run again.
import { openDatabase } from '../../common/db.ts';
import { createLogger } from '../../common/logger.ts';
import { migrateOrm, ORM_SCHEMA } from '../migrations/index.ts';
import { readOrmSettings } from '../settings.ts';
import { ensureAdminUser } from '../users/admin-bootstrap.ts';
import { findUserByMail } from '../users/user-store.ts';
import { loadDemo } from './load-demo.ts';

const logger = createLogger('orm-seed');
const settings = readOrmSettings();
const db = await openDatabase({ url: settings.databaseUrl, dataDir: settings.dataDir, name: 'orm', poolSize: 2, schema: ORM_SCHEMA, logger });
let exitCode = 0;
try {
  await migrateOrm(db);
  await ensureAdminUser({ db, mail: settings.adminMail, password: settings.adminPassword, rounds: settings.bcryptRounds, logger, dataDir: settings.dataDir });
  const owner = await findUserByMail(db, settings.adminMail);
  if (!owner) throw new Error(`no user ${settings.adminMail}: set ADMIN_PASSWORD (or ADMIN_MAIL to an existing user) to own the demo bots`);
  const summary = await loadDemo(db, owner.uid);
  logger.info({ owner: owner.mail, ...summary }, 'demo data loaded');
} catch (error) {
  logger.error({ err: error }, 'demo seed failed');
  exitCode = 1;
} finally {
  await db.close();
}
process.exit(exitCode);
