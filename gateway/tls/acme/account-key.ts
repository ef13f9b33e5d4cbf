// The ACME account key (DATA_DIR/acme/account-key.pem, 0600): made once, then reused
// so every renewal is the same account (its rate limits, its contact). A file that
// is there but unreadable as a key is refused, never replaced: replacing it would
// silently start a new account.
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { ensurePrivateDir, readIfExists, writeFileAtomic, type AcmePaths } from './files.ts';

export class AccountKeyError extends Error {}

export async function loadOrCreateAccountKey(paths: AcmePaths): Promise<{ pem: string; created: boolean }> {
  await ensurePrivateDir(paths.root);
  const existing = await readIfExists(paths.accountKey);
  if (existing !== null) {
    try {
      createPrivateKey(existing);
    } catch {
      throw new AccountKeyError(`${paths.accountKey} is not a PEM private key; move it away to start a new ACME account`);
    }
    return { pem: existing, created: false };
  }
  // ECDSA P-256: what Let's Encrypt recommends for account keys, and small.
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  await writeFileAtomic(paths.accountKey, pem);
  return { pem, created: true };
}
