// Session ticket keys shared by every worker through one file, so a client that
// resumes its TLS session on another worker (node:cluster hands connections out
// round-robin) gets an abbreviated handshake instead of a full one. The file is
// DATA_DIR/tls/session-ticket.keys (48 random bytes, 0600 in a 0700 directory,
// the same trust as the private keys beside it), written by whichever process
// finds it missing, damaged or older than TICKET_KEY_MAX_AGE_MS, always as a new
// file renamed into place; the others see the rename through their watcher.
// Rotating bounds what a stolen key decrypts to the sessions of one period.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Ticket keys are replaced this often (a ticket outliving them just means a full handshake). */
export const TICKET_KEY_MAX_AGE_MS = 12 * 60 * 60 * 1000;
/** Node's ticketKeys: 16 bytes key name, 16 HMAC secret, 16 AES key. */
export const TICKET_KEY_BYTES = 48;

export interface TicketKeys {
  keys: Buffer;
  /** Set when this call wrote a new file: why. */
  wrote: 'created' | 'rotated' | 'replaced a damaged file' | null;
}

/** The current keys from the file, writing new ones first when it is missing, damaged or due. */
export async function readOrCreateTicketKeys(file: string, now: Date): Promise<TicketKeys> {
  const current = await readCurrent(file);
  let wrote: TicketKeys['wrote'] = null;
  if (current === 'missing') wrote = 'created';
  else if (current === 'damaged') wrote = 'replaced a damaged file';
  else if (now.getTime() - current.writtenAt.getTime() >= TICKET_KEY_MAX_AGE_MS) wrote = 'rotated';
  else return { keys: current.keys, wrote: null };
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, randomBytes(TICKET_KEY_BYTES), { mode: 0o600 });
  await rename(temporary, file);
  // Read back rather than keep what was written: when two workers rotate at
  // once, the last rename wins and every worker converges on that file.
  const written = await readCurrent(file);
  if (typeof written === 'string') throw new Error(`${file}: ${written} right after writing it`);
  return { keys: written.keys, wrote };
}

async function readCurrent(file: string): Promise<{ keys: Buffer; writtenAt: Date } | 'missing' | 'damaged'> {
  try {
    const [keys, info] = await Promise.all([readFile(file), stat(file)]);
    return keys.length === TICKET_KEY_BYTES ? { keys, writtenAt: info.mtime } : 'damaged';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
}
