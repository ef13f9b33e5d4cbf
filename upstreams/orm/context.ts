// What every orm route module receives: the database, the settings and the
// long-lived helpers built once at start (credential cipher, key-use throttle).
import type { Logger } from 'pino';
import type { Db } from '../common/db.ts';
import type { CredentialCipher } from './exchanges/credential-cipher.ts';
import type { OrmSettings } from './settings.ts';

export interface OrmContext {
  db: Db;
  settings: OrmSettings;
  logger: Logger;
  cipher: CredentialCipher;
}
