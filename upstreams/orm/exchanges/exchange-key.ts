// Where the key that encrypts exchange credentials comes from. EXCHANGE_SECRET_KEY
// wins. Without it, a random key is made once and kept in DATA_DIR/keys/exchange-
// secret.key (directory 0700, file 0600), so an install never encrypts real exchange
// credentials with a key everyone can read in this repository. Losing that file
// loses the stored credentials: back it up with the database, or set the variable.
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';

export const EXCHANGE_KEY_FILE = join('keys', 'exchange-secret.key');

export interface ExchangeKeySource {
  /** The key material createCredentialCipher reads (64 hex chars, or a passphrase). */
  secret: string;
  /** 'environment', or the path of the key file. */
  origin: string;
}

export function resolveExchangeKey(options: { secret: string | undefined; dataDir: string; logger?: Pick<Logger, 'warn' | 'info'> | undefined }): ExchangeKeySource {
  if (options.secret) return { secret: options.secret, origin: 'environment' };
  const file = join(options.dataDir, EXCHANGE_KEY_FILE);
  if (existsSync(file)) return { secret: readKeyFile(file), origin: file };
  const secret = randomBytes(32).toString('hex');
  mkdirSync(join(options.dataDir, 'keys'), { recursive: true, mode: 0o700 });
  chmodSync(join(options.dataDir, 'keys'), 0o700);
  // Written aside, then linked into place: a crash never leaves half a key, and of
  // two processes starting at once on one DATA_DIR the second keeps the first's key.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${secret}\n`, { mode: 0o600, flag: 'w' });
  try {
    linkSync(partial, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { secret: readKeyFile(file), origin: file };
  } finally {
    unlinkSync(partial);
  }
  options.logger?.warn(
    { key_file: file },
    'EXCHANGE_SECRET_KEY is not set: exchange credentials are encrypted with a key generated for this install; back the file up with the database, or set EXCHANGE_SECRET_KEY',
  );
  return { secret, origin: file };
}

function readKeyFile(file: string): string {
  const secret = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(secret)) throw new Error(`${file} does not hold a 64-hex-character key: restore it from a backup or set EXCHANGE_SECRET_KEY`);
  return secret;
}
