// The real orm process (main.ts) on Postgres: migrates, skips the admin with a
// warning without ADMIN_PASSWORD, creates it once with one, reports health and
// serves the internal auth endpoint. (main.ts on PGlite runs in `npm run examples`.)
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
  it('creates the admin only when ADMIN_PASSWORD is set, once, and answers health and verify-credentials', async () => {
    const { url, drop } = await freshDatabaseUrl('ormproc');
    cleanups.push(drop);
    const adminMail = uniqueMail('admin');
    const env = { ...ORM_TEST_ENV, LOG_LEVEL: 'info', DATABASE_URL: url, ADMIN_MAIL: adminMail, ADMIN_PASSWORD: '' };
    const start = async (extra: Record<string, string>) => {
      const started = await startProcess('upstreams/orm/main.ts', { ...env, ...extra });
      cleanups.push(() => started.stop());
      return started;
    };
    const verify = async (orm: StartedProcess) => fetch(`${orm.url}/internal/auth/verify-credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gateway-assertion': await signTestAssertion('orm_api', { userId: 0, role: 'admin', authMethod: 'gateway', email: 'gateway@internal' }) },
      body: JSON.stringify({ mail: adminMail, password: 'admin-password-1' }),
    });

    const withoutPassword = await start({});
    const health = await fetch(`${withoutPassword.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', service: 'orm_api', database: { ok: true, latency_ms: expect.any(Number) } });
    expect(withoutPassword.output.some((line) => line.includes('ADMIN_PASSWORD is not set'))).toBe(true);
    expect((await verify(withoutPassword)).status).toBe(401);
    expect(await withoutPassword.stop()).toBe(0);

    const withPassword = await start({ ADMIN_PASSWORD: 'admin-password-1' });
    const response = await verify(withPassword);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ mail: adminMail, role: 'admin', active: true });
    expect(withPassword.output.some((line) => line.includes('admin account created'))).toBe(true);
    expect(await withPassword.stop()).toBe(0);

    // A restart migrates nothing new and keeps the existing admin (even with another password).
    const restarted = await start({ ADMIN_PASSWORD: 'a-different-password' });
    expect((await verify(restarted)).status).toBe(200);
    expect(restarted.output.some((line) => line.includes('admin account created'))).toBe(false);
    expect(restarted.output.some((line) => line.includes('"applied":[]'))).toBe(true);
  });
});
