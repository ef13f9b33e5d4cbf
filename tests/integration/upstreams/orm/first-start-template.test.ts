// The first start of the orm process on embedded PGlite (no DATABASE_URL, an empty
// DATA_DIR): the database is copied from its template (docs/cold-start.md), and
// the first-run admin is created all the same, with the generated password in
// DATA_DIR/initial-admin-password; a second start reuses the database as it is.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signTestAssertion } from '../../../helpers/assertion.ts';
import { uniqueMail } from '../../../helpers/isolation.ts';
import { startProcess } from '../../../helpers/processes.ts';
import { ORM_TEST_ENV } from './harness.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('orm first start on PGlite from a template', () => {
  it('copies the database from its template, creates the first-run admin with a generated password, and reuses the database on the next start', async () => {
    const home = mkdtempSync(join(tmpdir(), 'orm-template-'));
    cleanups.push(async () => rmSync(home, { recursive: true, force: true }));
    const dataDir = join(home, 'data');
    const adminMail = uniqueMail('admin');
    const env = { ...ORM_TEST_ENV, LOG_LEVEL: 'info', DATABASE_URL: '', ADMIN_MAIL: adminMail, ADMIN_PASSWORD: '', DATA_DIR: dataDir };

    const first = await startProcess('upstreams/orm/main.ts', env, 60_000);
    cleanups.push(() => first.stop());
    const copied = first.output.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.msg === 'new PGlite database copied from its template');
    expect(copied).toMatchObject({ database: 'orm', template: expect.stringContaining('fullon-pglite-templates') });
    expect(first.output.some((line) => line.includes('"applied":[]'))).toBe(true);

    const file = join(dataDir, 'initial-admin-password');
    const password = readFileSync(file, 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(24);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const verify = async (url: string) => fetch(`${url}/internal/auth/verify-credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gateway-assertion': await signTestAssertion('orm_api', { userId: 0, role: 'admin', authMethod: 'gateway', email: 'gateway@internal' }) },
      body: JSON.stringify({ mail: adminMail, password }),
    });
    const verified = await verify(first.url);
    expect(verified.status).toBe(200);
    expect(await verified.json()).toMatchObject({ mail: adminMail, role: 'admin' });
    expect(await first.stop()).toBe(0);

    // The database now exists: nothing is copied again, the admin and its password stay.
    const second = await startProcess('upstreams/orm/main.ts', env, 60_000);
    cleanups.push(() => second.stop());
    expect(second.output.some((line) => line.includes('copied from its template'))).toBe(false);
    expect(second.output.some((line) => line.includes('password_file'))).toBe(false);
    expect((await verify(second.url)).status).toBe(200);
    expect(existsSync(file)).toBe(true);
  }, 90_000);
});
