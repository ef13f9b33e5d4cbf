// The shared session ticket key file: created 0600 in a 0700 directory, reused
// while fresh, rotated when due, replaced when damaged.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readOrCreateTicketKeys, TICKET_KEY_BYTES, TICKET_KEY_MAX_AGE_MS } from '../../../../gateway/tls/ticket-keys.ts';
import { makeTempDir } from '../../../helpers/test-certificates.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function keyFile(): string {
  const { dir, cleanup } = makeTempDir();
  cleanups.push(cleanup);
  return join(dir, 'tls', 'session-ticket.keys');
}

describe('readOrCreateTicketKeys', () => {
  it('creates 48 random bytes readable by the owner only, then reuses them while they are fresh', async () => {
    const file = keyFile();
    const created = await readOrCreateTicketKeys(file, new Date());
    expect(created.wrote).toBe('created');
    expect(created.keys).toHaveLength(TICKET_KEY_BYTES);
    expect(readFileSync(file).equals(created.keys)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700);
    const again = await readOrCreateTicketKeys(file, new Date(Date.now() + TICKET_KEY_MAX_AGE_MS / 2));
    expect(again).toEqual({ keys: created.keys, wrote: null });
  });

  it('rotates keys older than TICKET_KEY_MAX_AGE_MS', async () => {
    const file = keyFile();
    const { keys } = await readOrCreateTicketKeys(file, new Date());
    const rotated = await readOrCreateTicketKeys(file, new Date(Date.now() + TICKET_KEY_MAX_AGE_MS + 1000));
    expect(rotated.wrote).toBe('rotated');
    expect(rotated.keys.equals(keys)).toBe(false);
    expect(readFileSync(file).equals(rotated.keys)).toBe(true);
  });

  it('replaces a file of the wrong size', async () => {
    const file = keyFile();
    await readOrCreateTicketKeys(file, new Date());
    writeFileSync(file, 'short');
    const replaced = await readOrCreateTicketKeys(file, new Date());
    expect(replaced.wrote).toBe('replaced a damaged file');
    expect(replaced.keys).toHaveLength(TICKET_KEY_BYTES);
  });
});
