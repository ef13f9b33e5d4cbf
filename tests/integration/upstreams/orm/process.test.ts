// The real orm process (main.ts): migrates, creates the admin from ADMIN_MAIL /
// ADMIN_PASSWORD, reports health, and serves the internal auth endpoint.
import { afterEach, describe, expect, it } from 'vitest';
import { signTestAssertion } from '../../../helpers/assertion.ts';
import { freshDatabaseUrl, uniqueMail } from '../../../helpers/isolation.ts';
import { startProcess, type StartedProcess } from '../../../helpers/processes.ts';
import { ORM_TEST_ENV } from './harness.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('orm process (upstreams/orm/main.ts)', () => {
  it('starts on Postgres, creates the admin once, and answers health and verify-credentials', async () => {
    const { url, drop } = await freshDatabaseUrl('ormproc');
    cleanups.push(drop);
    const adminMail = uniqueMail('admin');
    const env = { ...ORM_TEST_ENV, LOG_LEVEL: 'info', DATABASE_URL: url, ADMIN_MAIL: adminMail, ADMIN_PASSWORD: 'admin-password-1' };
    let orm: StartedProcess = await startProcess('upstreams/orm/main.ts', env);
    cleanups.push(() => orm.stop());

    const health = await fetch(`${orm.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', service: 'orm', database: { ok: true } });

    const verify = async () => fetch(`${orm.url}/internal/auth/verify-credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gateway-assertion': await signTestAssertion('orm', { userId: 0, role: 'admin', authMethod: 'gateway', email: 'gateway@internal' }) },
      body: JSON.stringify({ mail: adminMail, password: 'admin-password-1' }),
    });
    const response = await verify();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ mail: adminMail, role: 'admin', active: true });
    expect(orm.output.some((line) => line.includes('admin account created'))).toBe(true);

    // A restart migrates nothing new and keeps the existing admin.
    expect(await orm.stop()).toBe(0);
    orm = await startProcess('upstreams/orm/main.ts', env);
    expect((await verify()).status).toBe(200);
    expect(orm.output.some((line) => line.includes('admin account created'))).toBe(false);
  });

  // PGlite's first start runs initdb in WASM: seconds on a busy machine, hence the long timeout.
  it('starts on PGlite under DATA_DIR and skips the admin with a warning when ADMIN_PASSWORD is unset', { timeout: 120_000 }, async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'fullon-orm-proc-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const orm = await startProcess('upstreams/orm/main.ts', { ...ORM_TEST_ENV, LOG_LEVEL: 'info', DATABASE_URL: '', DATA_DIR: dir, ADMIN_PASSWORD: '' }, 90_000);
    cleanups.push(() => orm.stop());
    const health = await fetch(`${orm.url}/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', database: { ok: true } });
    expect(orm.output.some((line) => line.includes('ADMIN_PASSWORD is not set'))).toBe(true);
  });
});
