import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuthRoutes } from '../../../../gateway/auth/auth-routes.ts';
import type { GatewayEdgeAuth } from '../../../../gateway/auth/edge-auth.ts';
import { LoginThrottle } from '../../../../gateway/auth/login-throttle.ts';
import { ORM_URL, createTestAuth } from './support/auth-fixtures.ts';
import { serveLocalRoutes } from './support/local-route-server.ts';

const orm = setupServer();
// The test talks to its own local server for real; only the orm is mocked.
beforeAll(() =>
  orm.listen({
    onUnhandledRequest(request, print) {
      if (new URL(request.url).hostname !== '127.0.0.1') print.error();
    },
  }),
);
afterEach(() => orm.resetHandlers());
afterAll(() => orm.close());

const PASSWORD = 'correct horse battery staple';
const admin = { uid: 1, mail: 'admin@fullon', name: 'Admin', lastname: '', role: 'admin', active: true };
const trader = { uid: 2, mail: 'trader@example.com', name: 'Trader', lastname: 'T', role: 'user', active: true };

function ormKnows(...users: Array<typeof admin>) {
  orm.use(
    http.post(`${ORM_URL}/internal/auth/verify-credentials`, async ({ request }) => {
      const { mail, password } = (await request.json()) as { mail: string; password: string };
      const found = users.find((u) => u.mail === mail);
      if (!found || password !== PASSWORD) return HttpResponse.json({ detail: 'Invalid credentials' }, { status: 401 });
      return HttpResponse.json(found);
    }),
    // Tokens name their user by id; role and active state are read back from the orm.
    http.post(`${ORM_URL}/internal/auth/user-status`, async ({ request }) => {
      const { uid } = (await request.json()) as { uid: number };
      const found = users.find((u) => u.uid === uid);
      return found ? HttpResponse.json(found) : HttpResponse.json({ detail: 'Unknown user' }, { status: 401 });
    }),
  );
}

let auth: GatewayEdgeAuth;
let base: string;
let close: () => Promise<void>;
beforeEach(async () => {
  ({ auth } = await createTestAuth());
  ({ url: base, close } = await serveLocalRoutes(auth, createAuthRoutes(auth)));
});
afterEach(() => close());

function form(fields: Record<string, string>) {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() };
}
function json(body: unknown) {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

describe('POST /api/v1/auth/login', () => {
  it('logs in with the OAuth2 password form (username = mail)', async () => {
    ormKnows(admin);
    const response = await fetch(`${base}/api/v1/auth/login`, form({ username: 'admin@fullon', password: PASSWORD }));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 3600, user: { uid: 1, mail: 'admin@fullon', name: 'Admin', role: 'admin' } });
    expect(decodeJwt(body.access_token as string)).toMatchObject({ sub: 'admin@fullon', user_id: 1, role: 'admin' });
  });

  it.each([{ username: 'trader@example.com' }, { email: 'trader@example.com' }])('logs in with JSON %j', async (who) => {
    ormKnows(trader);
    const response = await fetch(`${base}/api/v1/auth/login`, json({ ...who, password: PASSWORD }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ user: { uid: 2, mail: 'trader@example.com', role: 'user' } });
  });

  it('issues a token the gateway then accepts', async () => {
    ormKnows(trader);
    const { access_token } = (await (await fetch(`${base}/api/v1/auth/login`, json({ username: 'trader@example.com', password: PASSWORD }))).json()) as { access_token: string };
    const verify = await fetch(`${base}/api/v1/auth/verify`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(verify.status).toBe(200);
    const body = (await verify.json()) as Record<string, unknown>;
    expect(body).toEqual({ user_id: 2, username: 'trader@example.com', email: 'trader@example.com', is_active: true, role: 'user', scopes: [], exp: decodeJwt(access_token).exp });
  });

  it.each([
    ['a wrong password', { username: 'trader@example.com', password: 'nope' }],
    ['an unknown mail', { username: 'ghost@example.com', password: PASSWORD }],
  ])('answers 401 Invalid credentials with WWW-Authenticate for %s', async (_name, fields) => {
    ormKnows(trader);
    const response = await fetch(`${base}/api/v1/auth/login`, form(fields));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await response.json()).toEqual({ detail: 'Invalid credentials' });
  });

  it.each<[string, RequestInit, string[]]>([
    ['a form without password', form({ username: 'a@b.c' }), ['password']],
    ['a form without username', form({ password: 'x' }), ['username']],
    ['an empty form', form({}), ['username', 'password']],
    ['JSON without password', json({ email: 'a@b.c' }), ['password']],
    ['JSON without username or email', json({ password: 'x' }), ['username']],
    ['a POST without body', { method: 'POST' }, ['username', 'password']],
  ])('answers 422 in FastAPI shape for %s', async (_name, init, missing) => {
    const response = await fetch(`${base}/api/v1/auth/login`, init);
    expect(response.status).toBe(422);
    const body = (await response.json()) as { detail: Array<{ type: string; loc: string[] }> };
    expect(body.detail.map((issue) => issue.loc)).toEqual(missing.map((field) => ['body', field]));
    expect(body.detail.every((issue) => issue.type === 'missing')).toBe(true);
  });

  it('answers 422 for JSON that does not parse and for a non-string password', async () => {
    const broken = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username": ' });
    expect(broken.status).toBe(422);
    const typed = await fetch(`${base}/api/v1/auth/login`, json({ username: 'a@b.c', password: 12345 }));
    expect(typed.status).toBe(422);
  });

  it('answers 415 for other media types', async () => {
    const response = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(response.status).toBe(415);
  });

  it('answers 413 for a body over 16 KB, without asking the orm', async () => {
    let calls = 0;
    orm.use(http.post(`${ORM_URL}/internal/auth/verify-credentials`, () => (calls++, HttpResponse.json(trader))));
    const response = await fetch(`${base}/api/v1/auth/login`, form({ username: 'trader@example.com', password: 'x'.repeat(20_000) }));
    expect(response.status).toBe(413);
    expect(calls).toBe(0);
  });

  it.each([
    ['is unreachable', () => HttpResponse.error()],
    ['answers 500', () => HttpResponse.json({ detail: 'boom' }, { status: 500 })],
  ])('answers 503 {"detail"} when the orm %s', async (_name, resolver) => {
    orm.use(http.post(`${ORM_URL}/internal/auth/verify-credentials`, resolver));
    const response = await fetch(`${base}/api/v1/auth/login`, form({ username: 'trader@example.com', password: PASSWORD }));
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ detail: 'Authentication service unavailable' });
  });
});

describe('GET /api/v1/auth/verify', () => {
  it('answers 401 without a token', async () => {
    const response = await fetch(`${base}/api/v1/auth/verify`);
    expect(response.status).toBe(401);
  });

  it('reports role admin for the ADMIN_MAIL user', async () => {
    ormKnows({ ...admin, role: 'user' });
    const { token } = await auth.tokens.issue({ uid: 1, mail: 'admin@fullon', role: 'user' });
    const response = await fetch(`${base}/api/v1/auth/verify`, { headers: { authorization: `Bearer ${token}` } });
    expect(await response.json()).toMatchObject({ role: 'admin', is_active: true });
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('is an empty key set for HS256 (the secret is never published)', async () => {
    const response = await fetch(`${base}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ keys: [] });
  });
});

describe('POST /api/v1/auth/login under attack (issue 10)', () => {
  let throttled: { url: string; close: () => Promise<void> };
  let ormCalls = 0;
  beforeEach(async () => {
    ormCalls = 0;
    const throttle = new LoginThrottle({ settings: { accountFailures: 3, addressFailures: 6, windowS: 60 } });
    throttled = await serveLocalRoutes(auth, createAuthRoutes(auth, { throttle }));
    orm.events.on('request:start', ({ request }) => void (request.url.startsWith(ORM_URL) && ormCalls++));
  });
  afterEach(async () => {
    orm.events.removeAllListeners();
    await throttled.close();
  });
  const login = (username: string, password: string) => fetch(`${throttled.url}/api/v1/auth/login`, form({ username, password }));

  it('answers 429 with Retry-After once an account had its failed logins, without asking the orm', async () => {
    ormKnows(trader);
    for (let i = 0; i < 3; i++) expect((await login('trader@example.com', 'wrong')).status).toBe(401);
    const callsBefore = ormCalls;
    const refused = await login('trader@example.com', PASSWORD);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('x-gateway-error')).toBe('LOGIN_THROTTLED');
    expect(await refused.json()).toEqual({ detail: 'Too many failed logins; try again later' });
    expect(ormCalls).toBe(callsBefore);
  });

  it('answers an unknown account exactly as a wrong password, and counts it the same', async () => {
    ormKnows(trader);
    const wrong = await login('trader@example.com', 'wrong');
    const unknown = await login('nobody@example.com', 'wrong');
    expect([unknown.status, await unknown.json(), unknown.headers.get('www-authenticate'), unknown.headers.get('x-gateway-error')]).toEqual([
      wrong.status,
      await wrong.json(),
      wrong.headers.get('www-authenticate'),
      wrong.headers.get('x-gateway-error'),
    ]);
    for (let i = 0; i < 2; i++) await login('nobody@example.com', 'wrong');
    expect((await login('nobody@example.com', 'wrong')).status).toBe(429);
  });

  it('answers 429 to a client address spraying many accounts', async () => {
    ormKnows(trader);
    for (let i = 0; i < 6; i++) expect((await login(`spray${i}@example.com`, 'wrong')).status).toBe(401);
    expect((await login('trader@example.com', PASSWORD)).status).toBe(429);
  });

  it('forgets an account’s failures after a good login', async () => {
    ormKnows(trader);
    for (let i = 0; i < 2; i++) await login('trader@example.com', 'wrong');
    expect((await login('trader@example.com', PASSWORD)).status).toBe(200);
    for (let i = 0; i < 2; i++) await login('trader@example.com', 'wrong');
    expect((await login('trader@example.com', PASSWORD)).status).toBe(200);
  });

  it('does not count an orm that cannot answer as a failed login', async () => {
    orm.use(http.post(`${ORM_URL}/internal/auth/verify-credentials`, () => HttpResponse.json({ detail: 'Too many logins in progress' }, { status: 503 })));
    for (let i = 0; i < 4; i++) {
      const busy = await login('trader@example.com', 'whatever');
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('1');
    }
  });
});
