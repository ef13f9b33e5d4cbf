// The first admin with its password hashed ahead (prepareAdminPassword, started by
// main.ts while a new embedded database opens): the account gets that password,
// a generated one lands in its file, and an account that already exists is left
// alone with no file written.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureAdminUser, INITIAL_ADMIN_PASSWORD_FILE, prepareAdminPassword } from '../../../../upstreams/orm/users/admin-bootstrap.ts';
import { verifyPassword } from '../../../../upstreams/orm/users/passwords.ts';
import { findUserByMail } from '../../../../upstreams/orm/users/user-store.ts';
import { uniqueMail } from '../../../helpers/isolation.ts';
import { openOrmHarness, type OrmHarness } from './harness.ts';

const ROUNDS = 4;
const logger = pino({ level: 'silent' });
const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function harness(): Promise<OrmHarness> {
  const h = await openOrmHarness('postgres');
  cleanups.push(() => h.close());
  return h;
}

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'orm-admin-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function storedHash(h: OrmHarness, mail: string): Promise<string> {
  const { rows } = await h.db.query<{ password: string }>('SELECT password FROM users WHERE mail = $1', [mail]);
  return rows[0]!.password;
}

describe('first admin with a password hashed ahead', () => {
  it('creates the account with ADMIN_PASSWORD hashed before the database opened', async () => {
    const h = await harness();
    const mail = uniqueMail('admin');
    const prepared = prepareAdminPassword('ahead of time', ROUNDS);
    expect(prepared.generated).toBe(false);
    const dir = dataDir();
    expect(await ensureAdminUser({ db: h.db, mail, password: 'ahead of time', rounds: ROUNDS, logger, dataDir: dir, prepared })).toBe('created');
    expect(await storedHash(h, mail)).toBe(await prepared.hash);
    expect(await verifyPassword('ahead of time', await storedHash(h, mail), ROUNDS)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes a generated password to its file and gives the account that password', async () => {
    const h = await harness();
    const mail = uniqueMail('admin');
    const dir = dataDir();
    const prepared = prepareAdminPassword(undefined, ROUNDS);
    expect(prepared.generated).toBe(true);
    expect(prepared.password.length).toBeGreaterThanOrEqual(24);
    expect(await ensureAdminUser({ db: h.db, mail, password: undefined, rounds: ROUNDS, logger, dataDir: dir, prepared })).toBe('generated');
    expect(readFileSync(join(dir, INITIAL_ADMIN_PASSWORD_FILE), 'utf8')).toBe(`${prepared.password}\n`);
    expect(await verifyPassword(prepared.password, await storedHash(h, mail), ROUNDS)).toBe(true);
    expect(await findUserByMail(h.db, mail)).toMatchObject({ role: 'admin' });
  });

  it('treats an empty ADMIN_PASSWORD as none: the password is generated', () => {
    const prepared = prepareAdminPassword('', ROUNDS);
    expect(prepared.generated).toBe(true);
    expect(prepared.password).not.toBe('');
  });

  it('leaves an existing account alone: its password stays, and no password file is written', async () => {
    const h = await harness();
    const mail = uniqueMail('admin');
    const dir = dataDir();
    expect(await ensureAdminUser({ db: h.db, mail, password: 'the first one', rounds: ROUNDS, logger, dataDir: dir })).toBe('created');
    const before = await storedHash(h, mail);

    const prepared = prepareAdminPassword(undefined, ROUNDS);
    expect(await ensureAdminUser({ db: h.db, mail, password: undefined, rounds: ROUNDS, logger, dataDir: dir, prepared })).toBe('exists');
    expect(await storedHash(h, mail)).toBe(before);
    expect(existsSync(join(dir, INITIAL_ADMIN_PASSWORD_FILE))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
