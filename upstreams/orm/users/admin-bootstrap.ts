// Creates the admin account (ADMIN_MAIL / ADMIN_PASSWORD, role "admin") on start
// when no user with that mail exists; never changes an existing account.
import type { Logger } from 'pino';
import type { Db } from '../../common/db.ts';
import { sqlState } from '../../common/db.ts';
import { findUserByMail, insertUser } from './user-store.ts';

export interface AdminBootstrapOptions {
  db: Db;
  mail: string;
  password: string | undefined;
  rounds: number;
  logger: Logger;
}

export type AdminBootstrapResult = 'created' | 'exists' | 'skipped';

export async function ensureAdminUser(options: AdminBootstrapOptions): Promise<AdminBootstrapResult> {
  const { db, mail, password, logger } = options;
  if (await findUserByMail(db, mail)) return 'exists';
  if (!password) {
    logger.warn({ mail }, 'ADMIN_PASSWORD is not set: no admin account created');
    return 'skipped';
  }
  try {
    await insertUser(db, { mail, password, role: 'admin', name: 'admin', lastname: 'fullon' }, options.rounds);
  } catch (error) {
    // Two processes starting at once: the other one created it first.
    if (sqlState(error) === '23505') return 'exists';
    throw error;
  }
  logger.info({ mail }, 'admin account created');
  return 'created';
}
