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
import { hashPassword } from './passwords.ts';
import { findUserByMail, insertHashedUser } from './user-store.ts';

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
  /** The password and its hash, started before the database was open (prepareAdminPassword); made here when absent. */
  prepared?: PreparedAdminPassword | undefined;
}

/** The admin's password (ADMIN_PASSWORD, or generated) and its bcrypt hash, under way in libuv's threadpool. */
export interface PreparedAdminPassword {
  password: string;
  generated: boolean;
  hash: Promise<string>;
}

/**
 * Starts the admin password's bcrypt now (cost 12: ~0.25 s on an idle core, more
 * on a busy first start). main.ts calls it before a new embedded database opens,
 * where the account is known to be missing, so the hash and the database's start
 * run side by side instead of one after the other.
 */
export function prepareAdminPassword(password: string | undefined, rounds: number): PreparedAdminPassword {
  const chosen = password || randomBytes(18).toString('base64url');
  const hash = hashPassword(chosen, rounds);
  // Awaited where it is used; one that is never used (the account existed) must not be an unhandled rejection.
  hash.catch(() => {});
  return { password: chosen, generated: !password, hash };
}

export type AdminBootstrapResult = 'created' | 'generated' | 'exists';

export async function ensureAdminUser(options: AdminBootstrapOptions): Promise<AdminBootstrapResult> {
  const { db, mail, logger } = options;
  if (await findUserByMail(db, mail)) return 'exists';
  const prepared = options.prepared ?? prepareAdminPassword(options.password, options.rounds);
  if (!prepared.generated) {
    if (!(await insertAdmin(options, prepared.hash))) return 'exists';
    logger.info({ mail }, 'admin account created');
    return 'created';
  }
  // The file is prepared first (so a full disk fails before the account exists
  // with a password nobody knows) and put in place only when the insert won.
  const file = resolve(join(options.dataDir, INITIAL_ADMIN_PASSWORD_FILE));
  const pending = `${file}.${process.pid}.tmp`;
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  await writeFile(pending, `${prepared.password}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(pending, 0o600);
  try {
    if (!(await insertAdmin(options, prepared.hash))) return 'exists';
    await rename(pending, file);
  } finally {
    await rm(pending, { force: true });
  }
  logger.warn({ mail, password_file: file }, `admin account created with a generated password: it is in ${file} (readable by this user only); log in as ${mail}, then change it and delete the file`);
  return 'generated';
}

/** false when another process created the account first (two starting at once). */
async function insertAdmin(options: AdminBootstrapOptions, hash: Promise<string>): Promise<boolean> {
  try {
    await insertHashedUser(options.db, { mail: options.mail, role: 'admin', name: 'admin', lastname: 'fullon' }, await hash);
    return true;
  } catch (error) {
    if (sqlState(error) === '23505') return false;
    throw error;
  }
}
