// EdgeAuth and the auth routes against the real orm process on real Postgres:
// admin bootstrap login, API keys created/deactivated/expired in the orm, the
// orm going away (503), and a forged request straight to the orm port (401).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthRoutes } from '../../../../gateway/auth/auth-routes.ts';
import { createEdgeAuth, type GatewayEdgeAuth } from '../../../../gateway/auth/edge-auth.ts';
import { loadAuthSettings } from '../../../../gateway/auth/settings.ts';
import type { AuthenticatedUser, AuthOutcome } from '../../../../gateway/auth/types.ts';
import { UpstreamRegistry } from '../../../../gateway/registry/upstream-registry.ts';
import { uniqueMail, workerDatabaseUrl } from '../../../helpers/isolation.ts';
import { TEST_ASSERTION_ENV, TEST_ASSERTION_KEY } from '../../../helpers/assertion.ts';
import { startProcess, type StartedProcess } from '../../../helpers/processes.ts';
import { fakeRequest, urlOf } from '../../../unit/gateway/auth/support/auth-fixtures.ts';
import { startTestGateway, type TestGateway } from '../proxy/harness.ts';
import { serveLocalRoutes } from '../../../unit/gateway/auth/support/local-route-server.ts';

const ADMIN_PASSWORD = 'integration-admin-password';
const adminMail = uniqueMail('admin');

let orm: StartedProcess;
let registry: UpstreamRegistry;
let auth: GatewayEdgeAuth;
let gateway: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  orm = await startProcess('upstreams/orm/main.ts', {
    DATABASE_URL: await workerDatabaseUrl('auth_orm'),
    ...TEST_ASSERTION_ENV,
    ADMIN_MAIL: adminMail,
    ADMIN_PASSWORD,
    BCRYPT_ROUNDS: '4',
  });
  registry = new UpstreamRegistry();
  registry.ensure('orm_api', new URL(orm.url), 'up');
  const settings = loadAuthSettings({
    env: { JWT_SECRET_KEY: 'integration-jwt-secret-0123456789abcdef-xyz', ADMIN_MAIL: adminMail, API_KEY_CACHE_TTL_MS: '300' },
    warn: () => {},
  });
  auth = await createEdgeAuth({ settings, registry, assertionKey: TEST_ASSERTION_KEY });
  gateway = await serveLocalRoutes(auth, createAuthRoutes(auth));
});
afterAll(async () => {
  await gateway?.close();
  await orm?.stop();
});

async function login(mail: string, password: string): Promise<Response> {
  return fetch(`${gateway.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: mail, password }).toString(),
  });
}

async function adminUser(): Promise<AuthenticatedUser> {
  const { access_token } = (await (await login(adminMail, ADMIN_PASSWORD)).json()) as { access_token: string };
  return auth.verifyToken(access_token);
}

/** Calls the orm the way the proxy would, with the identity headers EdgeAuth builds. */
async function ormAs(user: AuthenticatedUser, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${orm.url}${path}`, {
    method,
    headers: { ...(await auth.identityHeaders(user, 'orm_api')), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function createKey(user: AuthenticatedUser, extra: Record<string, unknown> = {}): Promise<{ api_key_id: number; key: string }> {
  const response = await ormAs(user, 'POST', '/api_keys/me', { name: `k-${Date.now()}`, ...extra });
  expect(response.status).toBe(200);
  return (await response.json()) as { api_key_id: number; key: string };
}

function withKey(key: string): Promise<AuthOutcome> {
  return auth.authenticate(fakeRequest([['X-API-Key', key]]), urlOf('/api/v1/orm/users/me'), false);
}

describe('login against the real orm', () => {
  it('logs in the admin created from ADMIN_MAIL/ADMIN_PASSWORD, and verify reports admin', async () => {
    const response = await login(adminMail, ADMIN_PASSWORD);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string; user: Record<string, unknown> };
    expect(body.user).toMatchObject({ mail: adminMail, role: 'admin' });
    const verify = await fetch(`${gateway.url}/api/v1/auth/verify`, { headers: { authorization: `Bearer ${body.access_token}` } });
    expect(await verify.json()).toMatchObject({ email: adminMail, role: 'admin', is_active: true });
  });

  it.each([
    ['a wrong password', () => [adminMail, 'wrong-password']],
    ['an unknown mail', () => [uniqueMail('ghost'), ADMIN_PASSWORD]],
  ])('answers 401 Invalid credentials for %s', async (_name, args) => {
    const [mail, password] = args();
    const response = await login(mail!, password!);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: 'Invalid credentials' });
  });
});

describe('API keys against the real orm', () => {
  it('authenticates a fresh key as its owner, with its scopes', async () => {
    const admin = await adminUser();
    const { key } = await createKey(admin, { scopes: ['ohlcv:write'] });
    const outcome = await withKey(key);
    expect(outcome).toMatchObject({ kind: 'user', user: { userId: admin.userId, email: adminMail, authMethod: 'api_key', scopes: ['ohlcv:write'] } });
  });

  it('refuses a deactivated key within the cache TTL', async () => {
    const admin = await adminUser();
    const { key, api_key_id } = await createKey(admin);
    expect((await withKey(key)).kind).toBe('user');
    expect((await ormAs(admin, 'PATCH', `/api_keys/${api_key_id}/deactivate`)).status).toBe(200);
    const deadline = Date.now() + 5_000;
    let outcome = await withKey(key);
    while (outcome.kind === 'user' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      outcome = await withKey(key);
    }
    expect(outcome).toMatchObject({ kind: 'rejected', status: 401 });
  });

  it('refuses a key created already expired, and a malformed or unknown key', async () => {
    const admin = await adminUser();
    const { key } = await createKey(admin, { expires_at: new Date(Date.now() - 60_000).toISOString() });
    expect(await withKey(key)).toMatchObject({ kind: 'rejected', status: 401 });
    expect(await withKey('definitely-not-a-key')).toMatchObject({ kind: 'rejected', status: 401 });
    expect(await withKey(`fullon_ak_${'A'.repeat(43)}`)).toMatchObject({ kind: 'rejected', status: 401 });
  });
});

describe('straight to the orm port', () => {
  it('answers 401 to forged identity headers without an assertion', async () => {
    const response = await fetch(`${orm.url}/users/me`, { headers: { 'x-user-id': '1', 'x-user-email': adminMail, 'x-user-role': 'admin', 'x-auth-method': 'jwt' } });
    expect(response.status).toBe(401);
  });

  it('answers 404 to a user assertion on the internal endpoints (gateway identity only)', async () => {
    const admin = await adminUser();
    const response = await ormAs(admin, 'POST', '/internal/auth/verify-credentials', { mail: adminMail, password: ADMIN_PASSWORD });
    expect(response.status).toBe(404);
  });
});

describe('when the orm cannot be asked', () => {
  it('answers login and API-key checks with 503, not 401', async () => {
    const admin = await adminUser();
    const { key } = await createKey(admin);
    registry.setTarget('orm_api', new URL('http://127.0.0.1:1'));
    try {
      const response = await login(adminMail, ADMIN_PASSWORD);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ detail: expect.any(String) });
      expect(await withKey(key)).toMatchObject({ kind: 'rejected', status: 503 });
      registry.setProcessState('orm_api', { up: false, reason: 'restarting', retryAfterS: 1 });
      expect((await login(adminMail, ADMIN_PASSWORD)).status).toBe(503);
    } finally {
      registry.setTarget('orm_api', new URL(orm.url));
      registry.setProcessState('orm_api', { up: true });
    }
  });
});

describe('through the real gateway to the real orm', () => {
  let edge: TestGateway;
  beforeAll(async () => {
    edge = await startTestGateway({
      yaml: `
upstreams:
  orm_api:
    url: ${orm.url}
routes:
  - { prefix: /api/v1/orm, upstream: orm_api, rewrite: "", auth: user }
`,
      auth,
      localRoutes: createAuthRoutes(auth),
    });
  });
  afterAll(() => edge?.close());

  it('logs in through the gateway pipeline and reads /users/me with the token and with an API key', async () => {
    const response = await fetch(`${edge.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: adminMail, password: ADMIN_PASSWORD }),
    });
    expect(response.status).toBe(200);
    const { access_token } = (await response.json()) as { access_token: string };
    const me = await fetch(`${edge.url}/api/v1/orm/users/me`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ mail: adminMail });

    const made = await fetch(`${edge.url}/api/v1/orm/api_keys/me`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'through-gateway' }),
    });
    expect(made.status).toBe(200);
    const { key } = (await made.json()) as { key: string };
    const withApiKey = await fetch(`${edge.url}/api/v1/orm/users/me`, { headers: { 'x-api-key': key } });
    expect(withApiKey.status).toBe(200);
    expect(await withApiKey.json()).toMatchObject({ mail: adminMail });
  });

  it('answers a wrong password through the gateway with 401 and a Bearer challenge', async () => {
    const response = await fetch(`${edge.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: adminMail, password: 'nope-nope' }).toString(),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await response.json()).toEqual({ detail: 'Invalid credentials' });
  });

  it('answers an oversized login body with 413', async () => {
    const response = await fetch(`${edge.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: adminMail, password: 'x'.repeat(200_000) }).toString(),
    });
    expect(response.status).toBe(413);
  });
});
