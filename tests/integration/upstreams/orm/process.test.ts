// The real orm process (main.ts) on Postgres: migrates, creates the admin once
// (from ADMIN_PASSWORD, or with a generated password written to a file only the
// owner can read), reports health and serves the internal auth endpoint.
// (main.ts on PGlite runs in `npm run examples`.)
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  it('creates the admin from ADMIN_PASSWORD once, and answers health and verify-credentials', async () => {
    const { url, drop } = await freshDatabaseUrl('ormproc');
    cleanups.push(drop);
    const adminMail = uniqueMail('admin');
    const dataDir = mkdtempSync(join(tmpdir(), 'orm-admin-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const env = { ...ORM_TEST_ENV, LOG_LEVEL: 'info', DATABASE_URL: url, ADMIN_MAIL: adminMail, ADMIN_PASSWORD: '', DATA_DIR: dataDir };
    const start = async (extra: Record<string, string>) => {
      const started = await startProcess('upstreams/orm/main.ts', { ...env, ...extra });
      cleanups.push(() => started.stop());
      return started;
    };
    const verify = async (orm: StartedProcess, password = 'admin-password-1') => fetch(`${orm.url}/internal/auth/verify-credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gateway-assertion': await signTestAssertion('orm_api', { userId: 0, role: 'admin', authMethod: 'gateway', email: 'gateway@internal' }) },
      body: JSON.stringify({ mail: adminMail, password }),
    });

    const withPassword = await start({ ADMIN_PASSWORD: 'admin-password-1' });
    const health = await fetch(`${withPassword.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', service: 'orm_api', database: { ok: true, latency_ms: expect.any(Number) } });
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
    expect(existsSync(join(dataDir, 'initial-admin-password'))).toBe(false);
  });

  it('hands out a first admin on the first start of an empty database without ADMIN_PASSWORD: a generated password in a file only the owner reads, named (not shown) in the log', async () => {
    const { url, drop } = await freshDatabaseUrl('ormfirst');
    cleanups.push(drop);
    const adminMail = uniqueMail('admin');
    const dataDir = join(mkdtempSync(join(tmpdir(), 'orm-first-')), 'data');
    cleanups.push(async () => rmSync(join(dataDir, '..'), { recursive: true, force: true }));
    const env = { ...ORM_TEST_ENV, LOG_LEVEL: 'info', DATABASE_URL: url, ADMIN_MAIL: adminMail, ADMIN_PASSWORD: '', DATA_DIR: dataDir };
    const first = await startProcess('upstreams/orm/main.ts', env);
    cleanups.push(() => first.stop());
    const file = join(dataDir, 'initial-admin-password');
    const password = readFileSync(file, 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(24);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const created = first.output.map((line) => JSON.parse(line) as Record<string, unknown>).find((entry) => entry.password_file !== undefined);
    expect(created).toMatchObject({ mail: adminMail, password_file: file });
    expect(first.output.join('\n')).not.toContain(password);
    const verified = await fetch(`${first.url}/internal/auth/verify-credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gateway-assertion': await signTestAssertion('orm_api', { userId: 0, role: 'admin', authMethod: 'gateway', email: 'gateway@internal' }) },
      body: JSON.stringify({ mail: adminMail, password }),
    });
    expect(verified.status).toBe(200);
    expect(await verified.json()).toMatchObject({ mail: adminMail, role: 'admin' });
    expect(await first.stop()).toBe(0);

    // Written once: a second start finds the admin and leaves the file alone.
    const second = await startProcess('upstreams/orm/main.ts', env);
    cleanups.push(() => second.stop());
    expect(readFileSync(file, 'utf8').trim()).toBe(password);
    expect(second.output.some((line) => line.includes('password_file'))).toBe(false);
    // Each process says once that it listens (fastify's own "Server listening at" is silenced).
    expect(second.output.filter((line) => line.includes('listening'))).toEqual([expect.stringContaining('"msg":"listening"')]);
  });
});
