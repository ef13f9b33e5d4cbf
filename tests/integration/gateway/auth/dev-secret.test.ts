// A gateway started without JWT_SECRET_KEY (the `npm start` default) must not
// accept tokens signed with any constant from the public source: it makes up a
// random secret for the run. A token it issued itself still works.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUTH_DEFAULTS } from '../../../../gateway/auth/settings.ts';

/** The constant older versions fell back to: public, so it must never verify. */
const DEV_FALLBACK_SECRET = 'dev-only-insecure-jwt-secret-change-me';
import { startProcess, type StartedProcess } from '../../../helpers/processes.ts';
import { request, startStubUpstream, type StubUpstream } from '../proxy/harness.ts';

describe('gateway without JWT_SECRET_KEY', () => {
  let dir: string;
  let stub: StubUpstream;
  let gateway: StartedProcess | null = null;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dev-secret-'));
    stub = await startStubUpstream();
    await writeFile(join(dir, 'routes.yaml'), `upstreams:\n  stub: { url: ${stub.url} }\nroutes:\n  - { prefix: /api/v1/stub, upstream: stub, rewrite: "", auth: user }\n`);
  });
  afterEach(async () => {
    await gateway?.stop('SIGKILL');
    gateway = null;
    await stub.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a token signed with the public development fallback secret', async () => {
    gateway = await startProcess('gateway/main.ts', { ROUTES_FILE: join(dir, 'routes.yaml'), JWT_SECRET_KEY: '', NODE_ENV: 'development' });
    const forged = await new SignJWT({ user_id: 1, username: 'admin@fullon', email: 'admin@fullon', role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('admin@fullon')
      .setIssuer(AUTH_DEFAULTS.issuer)
      .setAudience(AUTH_DEFAULTS.audience)
      .setIssuedAt()
      .setJti('forged')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(DEV_FALLBACK_SECRET));
    const verify = await request(`${gateway.url}/api/v1/auth/verify`, { headers: { authorization: `Bearer ${forged}` } });
    expect(verify.status).toBe(401);
    const proxied = await request(`${gateway.url}/api/v1/stub/x`, { headers: { authorization: `Bearer ${forged}` } });
    expect(proxied.status).toBe(401);
    expect(stub.seen.filter((seen) => seen.url === '/x')).toHaveLength(0);
    expect(gateway.output.some((line) => line.includes('using a random secret for this run'))).toBe(true);
  });
});
