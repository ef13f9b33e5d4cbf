import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeProtectedHeader } from 'jose';
import { loadAssertionKeys } from '../../../../upstreams/common/assertion-keys.ts';
import { TEST_ASSERTION_KEY, makeTestKey } from '../../../helpers/assertion.ts';
import { createAssertionVerifier } from '../../../../upstreams/common/assertion.ts';
import type { AuthenticatedUser } from '../../../../gateway/auth/types.ts';
import { ORM_URL, TEST_JWT_SECRET, TEST_VERIFY_KEYS, createTestAuth, fakeRequest, ormUserDirectory, urlOf } from './support/auth-fixtures.ts';

// Local tokens name a user_id; who that is (mail, role, active) is the orm's answer.
const directory = ormUserDirectory([
  { uid: 1, mail: 'a@example.com', name: 'A', role: 'user', active: true },
  { uid: 2, mail: 'b@example.com', name: 'B', role: 'user', active: true },
  { uid: 5, mail: 'u@example.com', name: 'U', role: 'user', active: true },
  { uid: 9, mail: 'ws@example.com', name: 'WS', role: 'user', active: true },
]);
const server = setupServer(directory.handler);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** A request carrying `Authorization: Bearer <token>`. */
const bearer = (token: string) => fakeRequest([['Authorization', `Bearer ${token}`]]);
const KEY = 'fullon_ak_abcdefghijklmnopqrstuvwxyz012345';
const keyOwner = { user: { uid: 8, mail: 'key@example.com', name: 'Key', role: 'user', active: true }, scopes: ['ohlcv:write'], api_key_id: 3, expires_at: null };

function user(overrides: Partial<AuthenticatedUser> = {}): AuthenticatedUser {
  return { userId: 5, email: 'u@example.com', name: 'u@example.com', role: 'user', scopes: [], authMethod: 'jwt', expiresAt: null, ...overrides };
}

describe('GatewayEdgeAuth.authenticate', () => {
  it('is anonymous without credentials', async () => {
    const { auth } = await createTestAuth();
    await expect(auth.authenticate(fakeRequest([]), urlOf('/x'), false)).resolves.toEqual({ kind: 'anonymous' });
  });

  it('accepts a token it issued', async () => {
    const { auth } = await createTestAuth();
    const { token } = await auth.tokens.issue({ uid: 5, mail: 'u@example.com', role: 'user' });
    const outcome = await auth.authenticate(fakeRequest([['Authorization', `Bearer ${token}`]]), urlOf('/x'), false);
    expect(outcome).toMatchObject({ kind: 'user', user: { userId: 5, email: 'u@example.com', authMethod: 'jwt' } });
  });

  it('verifies a token once and serves repeats from the cache', async () => {
    const { auth } = await createTestAuth();
    const { token } = await auth.tokens.issue({ uid: 5, mail: 'u@example.com', role: 'user' });
    const verify = vi.spyOn(auth.tokens, 'verify');
    for (let i = 0; i < 5; i++) await auth.authenticate(fakeRequest([['Authorization', `Bearer ${token}`]]), urlOf('/x'), false);
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('drops a cached token at its exp', async () => {
    let clock = Date.now();
    const { auth } = await createTestAuth({ now: () => clock });
    const { token, expiresAt } = await auth.tokens.issue({ uid: 5, mail: 'u@example.com', role: 'user' });
    await auth.verifyToken(token);
    const verify = vi.spyOn(auth.tokens, 'verify');
    clock = expiresAt * 1000;
    await auth.verifyToken(token).catch(() => {});
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it.each<[string, () => Promise<Array<[string, string]>>, number]>([
    ['alg none', async () => [['Authorization', `Bearer ${new UnsecuredJWT({ user_id: 1, email: 'a@b.c' }).setIssuer('fullon-master-api').setAudience('fullon').setExpirationTime('1h').encode()}`]], 401],
    ['a wrong signature', async () => [['Authorization', `Bearer ${await new SignJWT({ user_id: 1, email: 'a@b.c' }).setProtectedHeader({ alg: 'HS256' }).setSubject('a@b.c').setIssuer('fullon-master-api').setAudience('fullon').setExpirationTime('1h').sign(new TextEncoder().encode('x'.repeat(40)))}`]], 401],
    ['a 100 KB token', async () => [['Authorization', `Bearer ${'a'.repeat(100 * 1024)}.b.c`]], 401],
    ['garbage', async () => [['Authorization', 'Bearer !!!not-a-jwt!!!']], 401],
    ['two Authorization headers', async () => [['Authorization', 'Bearer a.b.c'], ['Authorization', 'Bearer d.e.f']], 400],
    ['Basic auth', async () => [['Authorization', 'Basic Zm9vOmJhcg==']], 401],
    ['a malformed API key', async () => [['X-API-Key', 'not-a-key']], 401],
  ])('rejects %s with %i', async (_name, headers, status) => {
    const { auth } = await createTestAuth();
    const outcome = await auth.authenticate(fakeRequest(await headers()), urlOf('/x'), false);
    expect(outcome).toMatchObject({ kind: 'rejected', status });
  });

  it('rejects a header token and a different ?token= on an upgrade with 400', async () => {
    const { auth } = await createTestAuth();
    const a = (await auth.tokens.issue({ uid: 1, mail: 'a@example.com', role: 'user' })).token;
    const b = (await auth.tokens.issue({ uid: 2, mail: 'b@example.com', role: 'user' })).token;
    const outcome = await auth.authenticate(fakeRequest([['Authorization', `Bearer ${a}`]]), urlOf(`/ws?token=${b}`), true);
    expect(outcome).toMatchObject({ kind: 'rejected', status: 400 });
  });

  it('accepts an upgrade token from ?token= and from the bearer subprotocol', async () => {
    const { auth } = await createTestAuth();
    const { token } = await auth.tokens.issue({ uid: 9, mail: 'ws@example.com', role: 'user' });
    await expect(auth.authenticate(fakeRequest([]), urlOf(`/ws?token=${token}`), true)).resolves.toMatchObject({ kind: 'user', user: { userId: 9 } });
    await expect(auth.authenticate(fakeRequest([['Sec-WebSocket-Protocol', `bearer, ${token}`]]), urlOf('/ws'), true)).resolves.toMatchObject({ kind: 'user', user: { userId: 9 } });
  });

  it('accepts an API key the orm knows', async () => {
    server.use(http.post(`${ORM_URL}/internal/auth/verify-api-key`, () => HttpResponse.json(keyOwner)));
    const { auth } = await createTestAuth();
    const outcome = await auth.authenticate(fakeRequest([['X-API-Key', KEY]]), urlOf('/x'), false);
    expect(outcome).toEqual({ kind: 'user', user: { userId: 8, email: 'key@example.com', name: 'Key', role: 'user', scopes: ['ohlcv:write'], authMethod: 'api_key', expiresAt: null, apiKeyId: 3 } });
  });

  it('rejects an API key the orm refuses with 401', async () => {
    server.use(http.post(`${ORM_URL}/internal/auth/verify-api-key`, () => HttpResponse.json({ detail: 'Invalid API key' }, { status: 401 })));
    const { auth } = await createTestAuth();
    await expect(auth.authenticate(fakeRequest([['X-API-Key', KEY]]), urlOf('/x'), false)).resolves.toEqual({ kind: 'rejected', status: 401, detail: 'Invalid API key', code: 'INVALID_API_KEY' });
  });

  it('answers 503 (not 401) for an API key when the orm cannot be asked', async () => {
    server.use(http.post(`${ORM_URL}/internal/auth/verify-api-key`, () => HttpResponse.error()));
    const { auth } = await createTestAuth();
    await expect(auth.authenticate(fakeRequest([['X-API-Key', KEY]]), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'rejected', status: 503 });
  });

  it('turns an unexpected failure into a 401, never a throw', async () => {
    const { auth } = await createTestAuth();
    vi.spyOn(auth.tokens, 'verify').mockRejectedValue(new TypeError('bug'));
    await expect(auth.authenticate(fakeRequest([['Authorization', 'Bearer a.b.c']]), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'rejected', status: 401 });
  });
});

describe('GatewayEdgeAuth.isAdmin', () => {
  it.each<[Partial<AuthenticatedUser>, Record<string, string>, boolean]>([
    [{ role: 'admin' }, {}, true],
    [{ role: 'user', email: 'admin@fullon' }, {}, true],
    [{ role: 'user', email: 'Admin@Fullon' }, {}, true],
    [{ role: 'user', email: 'boss@example.com' }, { ADMIN_MAIL: 'boss@example.com' }, true],
    [{ role: 'user', email: 'admin@fullon' }, { ADMIN_MAIL: 'boss@example.com' }, false],
    [{ role: 'user' }, {}, false],
  ])('%j with %j → %s', async (overrides, env, expected) => {
    const { auth } = await createTestAuth({ env });
    expect(auth.isAdmin(user(overrides))).toBe(expected);
  });
});

describe('GatewayEdgeAuth.identityHeaders', () => {
  it('sets x-user-* and an assertion the upstream verifier accepts with aud = upstream', async () => {
    const { auth } = await createTestAuth();
    const headers = await auth.identityHeaders(user({ scopes: ['ohlcv:write', 'cache:write'], authMethod: 'api_key' }), 'ohlcv');
    expect(headers).toMatchObject({ 'x-user-id': '5', 'x-user-email': 'u@example.com', 'x-user-role': 'user', 'x-user-scopes': 'ohlcv:write,cache:write', 'x-auth-method': 'api_key' });
    await expect(createAssertionVerifier({ audience: 'ohlcv', keys: TEST_VERIFY_KEYS })(headers['x-gateway-assertion'])).resolves.toEqual({
      userId: 5,
      email: 'u@example.com',
      role: 'user',
      scopes: ['ohlcv:write', 'cache:write'],
      authMethod: 'api_key',
    });
    await expect(createAssertionVerifier({ audience: 'orm', keys: TEST_VERIFY_KEYS })(headers['x-gateway-assertion'])).rejects.toThrow();
  });

  it('marks the ADMIN_MAIL user as admin upstream', async () => {
    const { auth } = await createTestAuth();
    const headers = await auth.identityHeaders(user({ email: 'admin@fullon' }), 'orm');
    expect(headers['x-user-role']).toBe('admin');
  });

  it('reuses the signed assertion for the same user and upstream (no signing per request)', async () => {
    const { auth } = await createTestAuth();
    const sign = vi.spyOn(auth.signer, 'signReusable');
    const u = user();
    const first = await auth.identityHeaders(u, 'orm');
    const second = await auth.identityHeaders(u, 'orm');
    const equal = await auth.identityHeaders({ ...u }, 'orm');
    expect(second['x-gateway-assertion']).toBe(first['x-gateway-assertion']);
    expect(equal['x-gateway-assertion']).toBe(first['x-gateway-assertion']);
    expect(sign).toHaveBeenCalledTimes(2);
    const other = await auth.identityHeaders(u, 'cache');
    expect(other['x-gateway-assertion']).not.toBe(first['x-gateway-assertion']);
  });

  it('returns a fresh object each call so callers may mutate it', async () => {
    const { auth } = await createTestAuth();
    const u = user();
    const first = await auth.identityHeaders(u, 'orm');
    first['x-user-id'] = 'tampered';
    expect((await auth.identityHeaders(u, 'orm'))['x-user-id']).toBe('5');
  });

  it('signs with its own Ed25519 key, not JWT_SECRET_KEY: a verifier holding another key refuses it', async () => {
    const { auth } = await createTestAuth();
    const headers = await auth.identityHeaders(user(), 'orm');
    const other = makeTestKey(TEST_ASSERTION_KEY.kid);
    const stranger = createAssertionVerifier({ audience: 'orm', keys: loadAssertionKeys({ GATEWAY_ASSERTION_JWKS: JSON.stringify({ keys: [other.jwk] }) }) });
    await expect(stranger(headers['x-gateway-assertion'])).rejects.toThrow();
    expect(decodeProtectedHeader(headers['x-gateway-assertion']!).alg).toBe('EdDSA');
  });
});

describe('GatewayEdgeAuth verified-token cache', () => {
  it('caches long tokens too (keyed by hash) and still refuses a different long token', async () => {
    const { auth } = await createTestAuth();
    const { SignJWT } = await import('jose');
    const long = await new SignJWT({ user_id: 5, email: 'u@example.com', role: 'user', padding: 'p'.repeat(2000) })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u@example.com')
      .setIssuer('fullon-master-api')
      .setAudience('fullon')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const verify = vi.spyOn(auth.tokens, 'verify');
    await auth.verifyToken(long);
    await auth.verifyToken(long);
    expect(verify).toHaveBeenCalledTimes(1);
    const tampered = `${long.slice(0, -2)}${long.endsWith('A') ? 'BB' : 'AA'}`;
    await expect(auth.verifyToken(tampered)).rejects.toThrow();
  });
});

describe('tokens interoperate with fullon (DESIGN.md "Tokens interoperate both ways")', () => {
  const fullonToken = (claims: Record<string, unknown>, alg = 'HS256', secret = TEST_JWT_SECRET) =>
    new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(new TextEncoder().encode(secret));
  const exp = () => Math.floor(Date.now() / 1000) + 3600;

  it('accepts a token minted the fullon way, with mail and role taken from the orm', async () => {
    directory.set({ uid: 31, mail: 'boss31@example.com', name: 'Boss', role: 'admin', active: true });
    const { auth } = await createTestAuth();
    const token = await fullonToken({ sub: 'boss', user_id: 31, username: 'boss', email: null, exp: exp() });
    await expect(auth.authenticate(bearer(token), urlOf('/x'), false)).resolves.toEqual({
      kind: 'user',
      user: { userId: 31, email: 'boss31@example.com', name: 'Boss', role: 'admin', scopes: [], authMethod: 'jwt', expiresAt: expect.any(Number) },
    });
  });

  it('takes the role from the orm, not from the token', async () => {
    directory.set({ uid: 32, role: 'user' });
    const { auth } = await createTestAuth();
    const token = await fullonToken({ sub: 'x', user_id: 32, role: 'admin', exp: exp() });
    await expect(auth.authenticate(bearer(token), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'user', user: { role: 'user' } });
  });

  it.each<[string, () => Promise<string>]>([
    ['alg none', async () => new UnsecuredJWT({ sub: 'a', user_id: 5, username: 'a' }).setExpirationTime('1h').encode()],
    ['HS512', () => fullonToken({ sub: 'a', user_id: 5, username: 'a', exp: exp() }, 'HS512')],
    ['no exp', () => fullonToken({ sub: 'a', user_id: 5, username: 'a' })],
    ['a user_id that does not exist', () => fullonToken({ sub: 'ghost', user_id: 99_999, username: 'ghost', exp: exp() })],
    ['another secret', () => fullonToken({ sub: 'a', user_id: 5, exp: exp() }, 'HS256', 'some-other-secret-0123456789-0123456789')],
  ])('refuses a fullon-format token with %s (401)', async (_name, make) => {
    const { auth } = await createTestAuth();
    await expect(auth.authenticate(bearer(await make()), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'rejected', status: 401, code: 'INVALID_TOKEN' });
  });

  it('refuses the token of an inactive user, fullon-format or our own', async () => {
    directory.set({ uid: 33, active: false });
    const { auth } = await createTestAuth();
    const own = (await auth.tokens.issue({ uid: 33, mail: 'user33@example.com', role: 'user' })).token;
    const fullon = await fullonToken({ sub: 'x', user_id: 33, exp: exp() });
    for (const token of [own, fullon]) {
      await expect(auth.authenticate(bearer(token), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'rejected', status: 401 });
    }
  });

  it('stops a deactivated user\'s already cached token within the 5 s TTL', async () => {
    directory.set({ uid: 34, active: true });
    let clock = Date.now();
    const { auth } = await createTestAuth({ now: () => clock });
    expect(auth.settings.apiKeyCacheTtlMs).toBeLessThanOrEqual(5_000);
    const token = (await auth.tokens.issue({ uid: 34, mail: 'user34@example.com', role: 'user' })).token;
    await expect(auth.authenticate(bearer(token), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'user' });
    directory.set({ uid: 34, active: false });
    // Still cached a moment later (no orm round trip per request)...
    clock += 1_000;
    await expect(auth.authenticate(bearer(token), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'user' });
    // ...and refused once the TTL has passed.
    clock += auth.settings.apiKeyCacheTtlMs;
    await expect(auth.authenticate(bearer(token), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'rejected', status: 401 });
  });

  it('asks the orm about a hot user once per TTL, not once per request', async () => {
    directory.set({ uid: 35 });
    const { auth } = await createTestAuth();
    const before = directory.lookups();
    const tokens = await Promise.all([1, 2, 3].map(() => auth.tokens.issue({ uid: 35, mail: 'user35@example.com', role: 'user' })));
    for (let i = 0; i < 5; i++) for (const { token } of tokens) await auth.authenticate(bearer(token), urlOf('/x'), false);
    expect(directory.lookups() - before).toBe(1);
  });
});

describe('refresh-ahead of a hot token\'s user (no request waits for the orm when the cached answer runs out)', () => {
  it('answers from the cache near the end of the TTL while asking the orm in the background, then trusts the fresh answer', async () => {
    directory.set({ uid: 36 });
    let clock = Date.now();
    const { auth } = await createTestAuth({ now: () => clock });
    const ttl = auth.settings.apiKeyCacheTtlMs;
    const { token } = await auth.tokens.issue({ uid: 36, mail: 'user36@example.com', role: 'user' });
    const first = await auth.authenticate(bearer(token), urlOf('/x'), false);
    const before = directory.lookups();
    clock += ttl * 0.8;
    const verify = vi.spyOn(auth.tokens, 'verify');
    const near = await auth.authenticate(bearer(token), urlOf('/x'), false);
    expect(near).toEqual(first);
    await auth.refreshesSettled();
    expect(directory.lookups() - before).toBe(1);
    // Past the first answer's TTL: served from the refreshed entry, no new lookup, no new verification.
    clock += ttl * 0.5;
    await expect(auth.authenticate(bearer(token), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'user', user: { userId: 36 } });
    expect(directory.lookups() - before).toBe(1);
    expect(verify).not.toHaveBeenCalled();
  });

  it('keeps the same user object when the orm says the same, so signed identity headers are reused', async () => {
    directory.set({ uid: 37 });
    let clock = Date.now();
    const { auth } = await createTestAuth({ now: () => clock });
    const { token } = await auth.tokens.issue({ uid: 37, mail: 'user37@example.com', role: 'user' });
    const first = await auth.verifyToken(token);
    clock += auth.settings.apiKeyCacheTtlMs * 0.8;
    await auth.verifyToken(token);
    await auth.refreshesSettled();
    expect(await auth.verifyToken(token)).toBe(first);
  });

  it('refuses the token from the next request on when the background answer says the user is inactive', async () => {
    directory.set({ uid: 38, active: true });
    let clock = Date.now();
    const { auth } = await createTestAuth({ now: () => clock });
    const { token } = await auth.tokens.issue({ uid: 38, mail: 'user38@example.com', role: 'user' });
    await auth.authenticate(bearer(token), urlOf('/x'), false);
    directory.set({ uid: 38, active: false });
    clock += auth.settings.apiKeyCacheTtlMs * 0.8;
    await expect(auth.authenticate(bearer(token), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'user' });
    await auth.refreshesSettled();
    await expect(auth.authenticate(bearer(token), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'rejected', status: 401 });
  });

  it('asks once for many requests in the refresh window', async () => {
    directory.set({ uid: 39 });
    let clock = Date.now();
    const { auth } = await createTestAuth({ now: () => clock });
    const { token } = await auth.tokens.issue({ uid: 39, mail: 'user39@example.com', role: 'user' });
    await auth.authenticate(bearer(token), urlOf('/x'), false);
    const before = directory.lookups();
    clock += auth.settings.apiKeyCacheTtlMs * 0.8;
    await Promise.all(Array.from({ length: 20 }, () => auth.authenticate(bearer(token), urlOf('/x'), false)));
    await auth.refreshesSettled();
    expect(directory.lookups() - before).toBe(1);
  });

  it('keeps serving the cached answer when the background lookup cannot reach the orm, until the TTL ends', async () => {
    directory.set({ uid: 40 });
    let clock = Date.now();
    const { auth } = await createTestAuth({ now: () => clock });
    const { token } = await auth.tokens.issue({ uid: 40, mail: 'user40@example.com', role: 'user' });
    await auth.authenticate(bearer(token), urlOf('/x'), false);
    server.use(http.post(`${ORM_URL}/internal/auth/user-status`, () => HttpResponse.json({ detail: 'down' }, { status: 500 })));
    clock += auth.settings.apiKeyCacheTtlMs * 0.8;
    await expect(auth.authenticate(bearer(token), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'user' });
    await auth.refreshesSettled();
    await expect(auth.authenticate(bearer(token), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'user' });
    clock += auth.settings.apiKeyCacheTtlMs * 0.3;
    await expect(auth.authenticate(bearer(token), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'rejected', status: 503 });
  });
});

describe('revocation events (GatewayEdgeAuth.invalidate)', () => {
  it('refuses a deactivated user\'s cached token on the very next request', async () => {
    directory.set({ uid: 40, active: true });
    const clock = Date.now();
    const { auth } = await createTestAuth({ now: () => clock });
    const token = (await auth.tokens.issue({ uid: 40, mail: 'user40@example.com', role: 'user' })).token;
    await expect(auth.authenticate(bearer(token), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'user' });
    directory.set({ uid: 40, active: false });
    auth.invalidate([{ kind: 'user', id: 40 }]);
    await expect(auth.authenticate(bearer(token), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'rejected', status: 401 });
  });

  it('refuses a deactivated API key on the very next request, and only that key', async () => {
    let active = true;
    server.use(
      http.post(`${ORM_URL}/internal/auth/verify-api-key`, async ({ request }) => {
        const { api_key } = (await request.json()) as { api_key: string };
        if (api_key === KEY && !active) return HttpResponse.json({ detail: 'Invalid API key' }, { status: 401 });
        return HttpResponse.json(api_key === KEY ? keyOwner : { ...keyOwner, api_key_id: 4 });
      }),
    );
    const clock = Date.now();
    const { auth } = await createTestAuth({ now: () => clock });
    const other = 'fullon_ak_zyxwvutsrqponmlkjihgfedcba543210';
    await expect(auth.authenticate(fakeRequest([['X-API-Key', KEY]]), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'user' });
    await auth.authenticate(fakeRequest([['X-API-Key', other]]), urlOf('/x'), false);
    active = false;
    const verify = vi.spyOn(auth.orm, 'verifyApiKey');
    auth.invalidate([{ kind: 'api_key', id: 3 }]);
    await expect(auth.authenticate(fakeRequest([['X-API-Key', KEY]]), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'rejected', status: 401 });
    await expect(auth.authenticate(fakeRequest([['X-API-Key', other]]), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'user' });
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('drops every cached API key of a user who was deactivated', async () => {
    server.use(http.post(`${ORM_URL}/internal/auth/verify-api-key`, () => HttpResponse.json(keyOwner)));
    const clock = Date.now();
    const { auth } = await createTestAuth({ now: () => clock });
    await auth.authenticate(fakeRequest([['X-API-Key', KEY]]), urlOf('/x'), false);
    server.use(http.post(`${ORM_URL}/internal/auth/verify-api-key`, () => HttpResponse.json({ detail: 'Invalid API key' }, { status: 401 })));
    auth.invalidate([{ kind: 'user', id: keyOwner.user.uid }]);
    await expect(auth.authenticate(fakeRequest([['X-API-Key', KEY]]), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'rejected', status: 401 });
  });

  it('does not cache an answer that was in flight when the revocation came', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    server.use(http.post(`${ORM_URL}/internal/auth/verify-api-key`, async () => (await gate, HttpResponse.json(keyOwner))));
    const { auth } = await createTestAuth();
    const first = auth.authenticate(fakeRequest([['X-API-Key', KEY]]), urlOf('/x'), false);
    await new Promise((resolve) => setImmediate(resolve));
    auth.invalidate([{ kind: 'api_key', id: 3 }]);
    release();
    await first;
    server.use(http.post(`${ORM_URL}/internal/auth/verify-api-key`, () => HttpResponse.json({ detail: 'Invalid API key' }, { status: 401 })));
    await expect(auth.authenticate(fakeRequest([['X-API-Key', KEY]]), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'rejected', status: 401 });
  });
});

describe('requests that arrive together with a token not cached (single flight)', () => {
  it('verify the token and read its user once, and all get the same user', async () => {
    directory.set({ uid: 41 });
    let clock = Date.now();
    const { auth } = await createTestAuth({ now: () => clock });
    const { token } = await auth.tokens.issue({ uid: 41, mail: 'user41@example.com', role: 'user' });
    const verify = vi.spyOn(auth.tokens, 'verify');
    const before = directory.lookups();
    const burst = () => Promise.all(Array.from({ length: 50 }, () => auth.authenticate(bearer(token), urlOf('/x'), false)));
    const first = await burst();
    expect(verify).toHaveBeenCalledTimes(1);
    expect(directory.lookups() - before).toBe(1);
    const users = new Set(first.map((outcome) => (outcome.kind === 'user' ? outcome.user : null)));
    expect(users.size).toBe(1);
    expect([...users][0]).toMatchObject({ userId: 41 });
    // After a pause longer than the user TTL (nothing refreshed it ahead), a new burst: again one of each.
    clock += auth.settings.apiKeyCacheTtlMs + 1;
    await burst();
    expect(verify).toHaveBeenCalledTimes(2);
    expect(directory.lookups() - before).toBe(2);
  });

  it('share the refusal of a bad token too, each getting its own 401', async () => {
    const { auth } = await createTestAuth();
    const forged = await new SignJWT({ sub: '41' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(40)));
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => auth.authenticate(bearer(forged), urlOf('/x'), false)));
    expect(outcomes.map((outcome) => outcome.kind === 'rejected' && outcome.status)).toEqual([401, 401, 401, 401, 401]);
  });

  it('do not join, nor cache, a verification that was in flight when a revocation came', async () => {
    directory.set({ uid: 42, active: true });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let asked!: () => void;
    const lookupStarted = new Promise<void>((resolve) => (asked = resolve));
    server.use(
      http.post(`${ORM_URL}/internal/auth/user-status`, async () => {
        asked();
        await gate;
        return HttpResponse.json({ uid: 42, mail: 'user42@example.com', name: 'U42', role: 'user', active: true });
      }),
    );
    const { auth } = await createTestAuth();
    const { token } = await auth.tokens.issue({ uid: 42, mail: 'user42@example.com', role: 'user' });
    const before = auth.authenticate(bearer(token), urlOf('/x'), false);
    await lookupStarted;
    // Deactivated while the first lookup waits for the orm.
    server.resetHandlers();
    directory.set({ uid: 42, active: false });
    auth.invalidate([{ kind: 'user', id: 42 }]);
    const after = auth.authenticate(bearer(token), urlOf('/x'), false);
    release();
    // Asked before the revocation: that request is let through, as it would have been a moment earlier.
    await expect(before).resolves.toMatchObject({ kind: 'user' });
    await expect(after).resolves.toMatchObject({ kind: 'rejected', status: 401 });
    await expect(auth.authenticate(bearer(token), urlOf('/x'), false)).resolves.toMatchObject({ kind: 'rejected', status: 401 });
  });
});

// The pipeline asks these first, so a request whose credential was checked before costs no promise.
describe('GatewayEdgeAuth without waiting (authenticateNow, cachedHeaders)', () => {
  it('decides no credential and a malformed one at once', async () => {
    const { auth } = await createTestAuth();
    expect(auth.authenticateNow(fakeRequest([]), urlOf('/x'), false)).toEqual({ kind: 'anonymous' });
    expect(auth.authenticateNow(fakeRequest([['X-API-Key', 'not-a-fullon-key']]), urlOf('/x'), false)).toMatchObject({ kind: 'rejected', status: 401, code: 'INVALID_API_KEY' });
    expect(auth.authenticateNow(fakeRequest([['Authorization', 'Bearer a'], ['Authorization', 'Bearer b']]), urlOf('/x'), false)).toMatchObject({ kind: 'rejected', status: 400 });
  });

  it('leaves a token it has not verified to authenticate(), then knows it', async () => {
    const { auth } = await createTestAuth();
    const { token } = await auth.tokens.issue({ uid: 5, mail: 'u@example.com', role: 'user' });
    expect(auth.authenticateNow(bearer(token), urlOf('/x'), false)).toBeNull();
    await auth.authenticate(bearer(token), urlOf('/x'), false);
    expect(auth.authenticateNow(bearer(token), urlOf('/x'), false)).toMatchObject({ kind: 'user', user: { userId: 5 } });
  });

  it('forgets a token at once when its user is revoked', async () => {
    const { auth } = await createTestAuth();
    const { token } = await auth.tokens.issue({ uid: 5, mail: 'u@example.com', role: 'user' });
    await auth.authenticate(bearer(token), urlOf('/x'), false);
    auth.invalidate([{ kind: 'user', id: 5 }]);
    expect(auth.authenticateNow(bearer(token), urlOf('/x'), false)).toBeNull();
  });

  it('knows a checked API key, and a refused one, until its TTL', async () => {
    let clock = Date.now();
    server.use(http.post(`${ORM_URL}/internal/auth/verify-api-key`, () => HttpResponse.json(keyOwner)));
    const { auth } = await createTestAuth({ now: () => clock });
    const request = () => fakeRequest([['X-API-Key', KEY]]);
    expect(auth.authenticateNow(request(), urlOf('/x'), false)).toBeNull();
    await auth.authenticate(request(), urlOf('/x'), false);
    expect(auth.authenticateNow(request(), urlOf('/x'), false)).toMatchObject({ kind: 'user', user: { userId: 8, apiKeyId: 3 } });
    clock += auth.settings.apiKeyCacheTtlMs + 1;
    expect(auth.authenticateNow(request(), urlOf('/x'), false)).toBeNull();
    server.use(http.post(`${ORM_URL}/internal/auth/verify-api-key`, () => HttpResponse.json({ detail: 'Invalid API key' }, { status: 401 })));
    await auth.authenticate(request(), urlOf('/x'), false);
    expect(auth.authenticateNow(request(), urlOf('/x'), false)).toMatchObject({ kind: 'rejected', status: 401, code: 'INVALID_API_KEY' });
  });

  it('gives the signed headers while they may be reused, then none', async () => {
    let clock = Date.now();
    const { auth } = await createTestAuth({ now: () => clock });
    const u = user();
    expect(auth.cachedHeaders(u, 'orm')).toBeNull();
    expect(auth.cachedHeaders(null, 'orm')).toBeNull();
    const signed = await auth.identityHeaders(u, 'orm');
    const anonymous = await auth.anonymousHeaders('orm');
    expect(auth.cachedHeaders(u, 'orm')).toEqual(signed);
    expect(auth.cachedHeaders(null, 'orm')).toEqual(anonymous);
    expect(auth.cachedHeaders(u, 'cache')).toBeNull();
    clock += auth.signer.reuseMs;
    expect(auth.cachedHeaders(u, 'orm')).toBeNull();
    expect(auth.cachedHeaders(null, 'orm')).toBeNull();
  });
});
