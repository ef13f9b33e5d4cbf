import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AssertionSigner } from '../../../../gateway/auth/assertion-signer.ts';
import { AuthError } from '../../../../gateway/auth/errors.ts';
import { OrmAuthClient } from '../../../../gateway/auth/orm-client.ts';
import { UpstreamRegistry } from '../../../../gateway/registry/upstream-registry.ts';
import { createAssertionVerifier } from '../../../../upstreams/common/assertion.ts';
import { TEST_SIGNER_OPTIONS } from '../../../helpers/assertion.ts';
import { ORM_URL, TEST_VERIFY_KEYS } from './support/auth-fixtures.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const ormUser = { uid: 5, mail: 'u@example.com', name: 'U', lastname: 'Ser', role: 'user', active: true };

function client(registry = upRegistry()) {
  return new OrmAuthClient({ registry, upstream: 'orm', signer: new AssertionSigner(TEST_SIGNER_OPTIONS), timeoutMs: 500 });
}

function upRegistry(): UpstreamRegistry {
  const registry = new UpstreamRegistry();
  registry.ensure('orm', new URL(ORM_URL), 'up');
  return registry;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(AuthError);
  return (error as AuthError).code;
}

describe('OrmAuthClient.verifyCredentials', () => {
  it('posts {mail, password} with a gateway service assertion the orm accepts', async () => {
    const verify = createAssertionVerifier({ audience: 'orm', keys: TEST_VERIFY_KEYS });
    let seen: unknown = null;
    let identity: unknown = null;
    server.use(
      http.post(`${ORM_URL}/internal/auth/verify-credentials`, async ({ request }) => {
        seen = await request.json();
        identity = await verify(request.headers.get('x-gateway-assertion') ?? undefined);
        return HttpResponse.json(ormUser);
      }),
    );
    await expect(client().verifyCredentials('u@example.com', 'pw')).resolves.toEqual({ uid: 5, mail: 'u@example.com', name: 'U', role: 'user', active: true });
    expect(seen).toEqual({ mail: 'u@example.com', password: 'pw' });
    expect(identity).toEqual({ userId: 0, email: 'gateway@internal', role: 'admin', scopes: [], authMethod: 'gateway' });
  });

  it.each([
    [401, { detail: 'Invalid credentials' }, 'INVALID_CREDENTIALS'],
    [422, { detail: [] }, 'INVALID_CREDENTIALS'],
    [200, { ...ormUser, active: false }, 'INVALID_CREDENTIALS'],
    [500, { detail: 'boom' }, 'AUTH_UPSTREAM_UNAVAILABLE'],
    [503, { detail: 'db down' }, 'AUTH_UPSTREAM_UNAVAILABLE'],
    [404, { detail: 'Not Found' }, 'AUTH_UPSTREAM_UNAVAILABLE'],
    [200, { unexpected: true }, 'AUTH_UPSTREAM_UNAVAILABLE'],
  ])('maps an orm %i %j to %s', async (status, body, code) => {
    server.use(http.post(`${ORM_URL}/internal/auth/verify-credentials`, () => HttpResponse.json(body, { status })));
    expect(await codeOf(client().verifyCredentials('u@example.com', 'pw'))).toBe(code);
  });

  it('answers 503 when the orm drops the connection', async () => {
    server.use(http.post(`${ORM_URL}/internal/auth/verify-credentials`, () => HttpResponse.error()));
    expect(await codeOf(client().verifyCredentials('u@example.com', 'pw'))).toBe('AUTH_UPSTREAM_UNAVAILABLE');
  });

  it('answers 503 without calling when the registry has the orm down or unknown', async () => {
    let calls = 0;
    server.use(http.post(`${ORM_URL}/internal/auth/verify-credentials`, () => (calls++, HttpResponse.json(ormUser))));
    const down = upRegistry();
    down.setProcessState('orm', { up: false, reason: 'restarting', retryAfterS: 1 });
    expect(await codeOf(client(down).verifyCredentials('u@example.com', 'pw'))).toBe('AUTH_UPSTREAM_UNAVAILABLE');
    expect(await codeOf(client(new UpstreamRegistry()).verifyCredentials('u@example.com', 'pw'))).toBe('AUTH_UPSTREAM_UNAVAILABLE');
    expect(calls).toBe(0);
  });

  it('answers 503 when the orm does not answer within the timeout', async () => {
    server.use(http.post(`${ORM_URL}/internal/auth/verify-credentials`, () => new Promise<Response>(() => {})));
    expect(await codeOf(client().verifyCredentials('u@example.com', 'pw'))).toBe('AUTH_UPSTREAM_UNAVAILABLE');
  });
});

describe('OrmAuthClient.verifyApiKey', () => {
  it('returns owner, scopes and expiry', async () => {
    let seen: unknown = null;
    server.use(
      http.post(`${ORM_URL}/internal/auth/verify-api-key`, async ({ request }) => {
        seen = await request.json();
        return HttpResponse.json({ user: ormUser, scopes: ['ohlcv:write'], api_key_id: 9, expires_at: '2030-01-01T00:00:00.000Z' });
      }),
    );
    await expect(client().verifyApiKey('fullon_ak_abcdefghijklmnop')).resolves.toEqual({
      user: { uid: 5, mail: 'u@example.com', name: 'U', role: 'user', active: true },
      scopes: ['ohlcv:write'],
      apiKeyId: 9,
      expiresAt: Date.parse('2030-01-01T00:00:00.000Z'),
    });
    expect(seen).toEqual({ api_key: 'fullon_ak_abcdefghijklmnop' });
  });

  it.each([
    [401, { detail: 'Invalid API key' }, 'INVALID_API_KEY'],
    [200, { user: { ...ormUser, active: false }, scopes: [], api_key_id: 1, expires_at: null }, 'INVALID_API_KEY'],
    [502, { detail: 'x' }, 'AUTH_UPSTREAM_UNAVAILABLE'],
    [200, { user: ormUser, scopes: [], api_key_id: 1, expires_at: 'not a date' }, 'AUTH_UPSTREAM_UNAVAILABLE'],
  ])('maps an orm %i %j to %s', async (status, body, code) => {
    server.use(http.post(`${ORM_URL}/internal/auth/verify-api-key`, () => HttpResponse.json(body, { status })));
    expect(await codeOf(client().verifyApiKey('fullon_ak_abcdefghijklmnop'))).toBe(code);
  });
});
