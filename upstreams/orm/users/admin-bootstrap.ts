// Creates the admin account (ADMIN_MAIL, role "admin") on start when no user with
// that mail exists; never changes an existing account. With ADMIN_PASSWORD that is
// the password. Without it (a first run on an empty database), a random password
// is generated and written once to DATA_DIR/initial-admin-password, readable by
// the owner only, as Jenkins and Grafana hand out a first admin: the log names the
// file, never the password.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Db } from '../../common/db.ts';
import { sqlState } from '../../common/db.ts';
import { findUserByMail, insertUser } from './user-store.ts';

/** Name of the generated password's file under DATA_DIR (the gateway's ready banner points at it). */
export const INITIAL_ADMIN_PASSWORD_FILE = 'initial-admin-password';

export interface AdminBootstrapOptions {
  db: Db;
  mail: string;
  password: string | undefined;
  rounds: number;
  logger: Logger;
  /** Where a generated password is written (DATA_DIR). */
  dataDir: string;
}

export type AdminBootstrapResult = 'created' | 'generated' | 'exists';

export async function ensureAdminUser(options: AdminBootstrapOptions): Promise<AdminBootstrapResult> {
  const { db, mail, logger } = options;
  if (await findUserByMail(db, mail)) return 'exists';
  if (options.password) {
    if (!(await insertAdmin(options, options.password))) return 'exists';
    logger.info({ mail }, 'admin account created');
    return 'created';
  }
  // The file is prepared first (so a full disk fails before the account exists
  // with a password nobody knows) and put in place only when the insert won.
  const password = randomBytes(18).toString('base64url');
  const file = resolve(join(options.dataDir, INITIAL_ADMIN_PASSWORD_FILE));
  const pending = `${file}.${process.pid}.tmp`;
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  await writeFile(pending, `${password}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(pending, 0o600);
  try {
    if (!(await insertAdmin(options, password))) return 'exists';
    await rename(pending, file);
  } finally {
    await rm(pending, { force: true });
  }
  logger.warn({ mail, password_file: file }, `admin account created with a generated password: it is in ${file} (readable by this user only); log in as ${mail}, then change it and delete the file`);
  return 'generated';
}

/** false when another process created the account first (two starting at once). */
async function insertAdmin(options: AdminBootstrapOptions, password: string): Promise<boolean> {
  try {
    await insertUser(options.db, { mail: options.mail, password, role: 'admin', name: 'admin', lastname: 'fullon' }, options.rounds);
    return true;
  } catch (error) {
    if (sqlState(error) === '23505') return false;
    throw error;
  }
}
