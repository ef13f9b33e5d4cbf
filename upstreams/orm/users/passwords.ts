// Password hashing with bcrypt ($2b$, fullon's format, so existing hashes keep
// verifying). bcrypt's async API runs in libuv's threadpool, off the event loop.
import bcrypt from 'bcrypt';

/** bcrypt only reads the first 72 bytes; longer passwords are refused on set. */
export const BCRYPT_MAX_BYTES = 72;

// Compared against when the mail is unknown, so a miss costs as much as a hit
// and response time does not reveal which mails exist. Made once per cost.
const dummyHashes = new Map<number, Promise<string>>();
function dummyHash(rounds: number): Promise<string> {
  let hash = dummyHashes.get(rounds);
  if (!hash) {
    hash = bcrypt.hash('fullon-dummy-password', rounds);
    dummyHashes.set(rounds, hash);
  }
  return hash;
}

export function hashPassword(password: string, rounds: number): Promise<string> {
  return bcrypt.hash(password, rounds);
}

/**
 * A password over BCRYPT_MAX_BYTES never matches: bcrypt would compare only its
 * first 72 bytes, so "72-byte password + anything" would log in. No stored
 * password can be that long (creates and changes refuse it with a 422), so such a
 * login is simply wrong credentials, at the cost of a normal check (no timing tell).
 */
export async function verifyPassword(password: string, hash: string | undefined, rounds: number): Promise<boolean> {
  if (!hash || !/^\$2[aby]\$\d\d\$/.test(hash) || Buffer.byteLength(password) > BCRYPT_MAX_BYTES) {
    await bcrypt.compare(password, await dummyHash(rounds)).catch(() => false);
    return false;
  }
  return bcrypt.compare(password, hash).catch(() => false);
}
