// The real EdgeAuth inside the real gateway (createGateway), in front of a stub
// upstream: identity headers and assertions upstream, client-forged identity
// stripped, policy answers, and WebSocket auth (?token=, bearer subprotocol,
// 1008 at expiry, token never forwarded nor logged).
import { request as httpRequest, type ClientRequest } from 'node:http';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createAuthRoutes } from '../../../../gateway/auth/auth-routes.ts';
import { createEdgeAuth, type GatewayEdgeAuth } from '../../../../gateway/auth/edge-auth.ts';
import { loadAuthSettings } from '../../../../gateway/auth/settings.ts';
import { createWebSocketExpiry } from '../../../../gateway/auth/ws-expiry.ts';
import { closeSocket } from '../../../../gateway/proxy/ws-close.ts';
import { UpstreamRegistry } from '../../../../gateway/registry/upstream-registry.ts';
import { createAssertionVerifier, createCallerVerifier } from '../../../../upstreams/common/assertion.ts';
import { loadAssertionKeys } from '../../../../upstreams/common/assertion-keys.ts';
import { TEST_ASSERTION_ENV, TEST_ASSERTION_KEY } from '../../../helpers/assertion.ts';
import { startStubUpstream, startTestGateway, type StubUpstream, type TestGateway } from '../proxy/harness.ts';

const JWT_SECRET = 'gateway-auth-test-secret-0123456789-abcdef';

let upstream: StubUpstream;
let orm: StubUpstream;
let gw: TestGateway;
let auth: GatewayEdgeAuth;

/** The orm's users as the token holders' directory (a token names only its user_id). */
const USERS: Record<number, { uid: number; mail: string; name: string; role: 'admin' | 'user'; active: boolean }> = {
  1: { uid: 1, mail: 'a@example.com', name: 'A', role: 'user', active: true },
  2: { uid: 2, mail: 'b@example.com', name: 'B', role: 'user', active: true },
  3: { uid: 3, mail: 'boss@example.com', name: 'Boss', role: 'user', active: true },
  7: { uid: 7, mail: 'u@example.com', name: 'U', role: 'user', active: true },
};

beforeAll(async () => {
  upstream = await startStubUpstream();
  orm = await startStubUpstream({
    '/internal/auth/user-status': (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk));
      req.on('end', () => {
        const user = USERS[(JSON.parse(body) as { uid: number }).uid];
        res.writeHead(user ? 200 : 401, { 'content-type': 'application/json' });
        res.end(JSON.stringify(user ?? { detail: 'Unknown user' }));
      });
    },
  });
  const registry = new UpstreamRegistry();
  registry.ensure('orm_api', new URL(orm.url), 'up');
  auth = await createEdgeAuth({
    settings: loadAuthSettings({ env: { JWT_SECRET_KEY: JWT_SECRET, ADMIN_MAIL: 'boss@example.com' }, warn: () => {} }),
    registry,
    assertionKey: TEST_ASSERTION_KEY,
  });
  gw = await startTestGateway({
    yaml: `
upstreams:
  stub:
    url: ${upstream.url}
routes:
  - { prefix: /api/v1/stub, upstream: stub, rewrite: "", auth: user, websocket: true }
  - { prefix: /api/v1/open, upstream: stub, rewrite: "", auth: public }
  - { prefix: /api/v1/admin, upstream: stub, rewrite: "", auth: admin }
`,
    auth,
    localRoutes: createAuthRoutes(auth),
  });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
  await orm?.close();
});
afterEach(() => {
  upstream.seen.length = 0;
});

// The harness takes no WebSocket hooks: the 1008 test calls onOpen itself, as main.ts's onWebSocketOpen does.
const webSocketExpiry = createWebSocketExpiry(closeSocket);

const token = (uid = 7, mail = 'u@example.com', role: 'user' | 'admin' = 'user') => auth.tokens.issue({ uid, mail, role }).then((t) => t.token);

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${gw.url}${path}`, { headers });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: response.status, headers: response.headers, body: body as Record<string, unknown> };
}

describe('HTTP through the gateway', () => {
  it('forwards the identity headers and an assertion the upstream accepts, not the Authorization header', async () => {
    const result = await get('/api/v1/stub/users/me', { authorization: `Bearer ${await token()}` });
    expect(result.status).toBe(200);
    const headers = result.body.headers as Record<string, string>;
    expect(headers).toMatchObject({ 'x-user-id': '7', 'x-user-email': 'u@example.com', 'x-user-role': 'user', 'x-auth-method': 'jwt' });
    expect(headers.authorization).toBeUndefined();
    const verify = createAssertionVerifier({ audience: 'stub', keys: loadAssertionKeys(TEST_ASSERTION_ENV) });
    await expect(verify(headers['x-gateway-assertion'])).resolves.toMatchObject({ userId: 7, authMethod: 'jwt' });
  });

  it('replaces a client-sent x-user-id and x-gateway-assertion with its own', async () => {
    const result = await get('/api/v1/stub/x', { authorization: `Bearer ${await token()}`, 'x-user-id': '1', 'x-user-role': 'admin', 'x-gateway-assertion': 'forged' });
    const headers = result.body.headers as Record<string, string>;
    expect(headers['x-user-id']).toBe('7');
    expect(headers['x-user-role']).toBe('user');
    expect(headers['x-gateway-assertion']).not.toBe('forged');
  });

  it('lets no client-sent identity reach the upstream on a public route: only its own anonymous assertion', async () => {
    const result = await get('/api/v1/open/x', { 'x-user-id': '1', 'x-gateway-assertion': 'forged', 'x-auth-method': 'jwt' });
    const headers = result.body.headers as Record<string, string>;
    expect(headers['x-user-id']).toBeUndefined();
    expect(headers['x-auth-method']).toBeUndefined();
    expect(headers['x-gateway-assertion']).not.toBe('forged');
    // Valid (gateway key, aud = the upstream) and naming nobody.
    await expect(createCallerVerifier({ audience: 'stub', keys: loadAssertionKeys(TEST_ASSERTION_ENV) })(headers['x-gateway-assertion'])).resolves.toBeNull();
  });

  it('does not forward a valid credential as a user on a public route (public means anonymous)', async () => {
    const result = await get('/api/v1/open/x', { authorization: `Bearer ${await token()}` });
    const headers = result.body.headers as Record<string, string>;
    expect(headers['x-user-id']).toBeUndefined();
    await expect(createCallerVerifier({ audience: 'stub', keys: loadAssertionKeys(TEST_ASSERTION_ENV) })(headers['x-gateway-assertion'])).resolves.toBeNull();
  });

  it('does not let Connection: x-user-id remove the gateway’s own header', async () => {
    const result = await get('/api/v1/stub/x', { authorization: `Bearer ${await token()}`, connection: 'x-user-id, x-gateway-assertion' });
    const headers = result.body.headers as Record<string, string>;
    expect(headers['x-user-id']).toBe('7');
    expect(headers['x-gateway-assertion']).toBeTruthy();
  });

  it.each([
    ['no credentials', {}, 'Bearer', 'UNAUTHORIZED'],
    ['a bad token', { authorization: 'Bearer not.a.token' }, 'Bearer error="invalid_token"', 'INVALID_TOKEN'],
  ])('challenges %s per RFC 6750 §3 (%s)', async (_name, headers, challenge, code) => {
    const result = await get('/api/v1/stub/x', headers as Record<string, string>);
    expect(result.headers.get('www-authenticate')).toBe(challenge);
    expect(result.headers.get('x-gateway-error')).toBe(code);
  });

  it.each<[string, () => Promise<Record<string, string>>, number]>([
    ['no credentials', async () => ({}), 401],
    ['a bad token', async () => ({ authorization: 'Bearer not.a.token' }), 401],
    ['an expired token', async () => ({ authorization: `Bearer ${await new SignJWT({ user_id: 7, email: 'u@example.com' }).setProtectedHeader({ alg: 'HS256' }).setSubject('u@example.com').setIssuer('fullon-master-api').setAudience('fullon').setExpirationTime(Math.floor(Date.now() / 1000) - 3600).sign(new TextEncoder().encode(JWT_SECRET))}` }), 401],
    ['a 100 KB token', async () => ({ authorization: `Bearer ${'a'.repeat(60 * 1024)}.${'b'.repeat(40 * 1024)}.c` }), 401],
    ['a malformed API key', async () => ({ 'x-api-key': 'nope' }), 401],
  ])('answers %s with %i and a Bearer challenge, never reaching the upstream', async (_name, headers, status) => {
    const result = await get('/api/v1/stub/x', await headers());
    expect([status, 431]).toContain(result.status);
    if (result.status === 401) {
      expect(result.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(result.body).toEqual({ detail: expect.any(String) });
    }
    expect(upstream.seen).toHaveLength(0);
  });

  it('answers two Authorization headers with 400 or 401, never reaching the upstream', async () => {
    const a = await token(1);
    const b = await token(2);
    const response = await new Promise<number>((resolve, reject) => {
      // A raw header array is the one way to send a header twice with node:http.
      const request = httpRequest(`${gw.url}/api/v1/stub/x`, { headers: ['Authorization', `Bearer ${a}`, 'Authorization', `Bearer ${b}`] as unknown as Record<string, string> });
      request.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end();
    });
    expect([400, 401]).toContain(response);
    expect(upstream.seen).toHaveLength(0);
  });

  it('answers 403 Admin access required to a user on an admin route, and lets ADMIN_MAIL through', async () => {
    const denied = await get('/api/v1/admin/x', { authorization: `Bearer ${await token()}` });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ detail: 'Admin access required' });
    const allowed = await get('/api/v1/admin/x', { authorization: `Bearer ${await token(3, 'boss@example.com')}` });
    expect(allowed.status).toBe(200);
    expect((allowed.body.headers as Record<string, string>)['x-user-role']).toBe('admin');
  });

  it.each([0, 20])('reads a chunked login body in full through the gateway pipeline (second chunk after %i ms; then 503: no orm here)', async (delayMs) => {
    const answer = await postChunkedLogin(async (request) => {
      request.write('username=u%40example.com');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      request.end('&password=secret-password');
    });
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toEqual({ detail: 'Authentication service unavailable' });
  });

  // Chunked bodies have no Content-Length to refuse up front: the limit is found
  // while reading, and the client must still get a 413, not a reset connection.
  it('answers a chunked login body past the login limit (16 KB) with 413, not a reset', async () => {
    const answer = await postChunkedLogin((request) => {
      const chunk = 'x'.repeat(16 * 1024);
      for (let sent = 0; sent < 64 * 1024; sent += chunk.length) request.write(chunk);
      request.end();
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ detail: expect.stringMatching(/too large/i) });
  });

  it('serves verify and jwks as local routes', async () => {
    const verify = await get('/api/v1/auth/verify', { authorization: `Bearer ${await token()}` });
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ user_id: 7, email: 'u@example.com', is_active: true });
    expect((await get('/api/v1/auth/verify')).status).toBe(401);
    expect((await get('/.well-known/jwks.json')).body).toEqual({ keys: [] });
  });
});

/** POSTs a chunked (no Content-Length) login body that `send` writes, and collects the answer. */
function postChunkedLogin(send: (request: ClientRequest) => void | Promise<void>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${gw.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' } });
    request.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += String(chunk)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    void Promise.resolve(send(request)).catch(reject);
  });
}

function openSocket(path: string, options: { protocols?: string[]; headers?: Record<string, string> } = {}) {
  const ws = new WebSocket(`${gw.url.replace('http', 'ws')}${path}`, options.protocols ?? [], { headers: options.headers });
  const firstMessage = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const refused = new Promise<number>((resolve) => ws.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); res.resume(); }));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  return { ws, opened, refused, closed, firstMessage };
}

describe('WebSocket through the gateway', () => {
  it('refuses an upgrade without credentials with HTTP 401 (no 101)', async () => {
    const socket = openSocket('/api/v1/stub/ws');
    socket.opened.catch(() => {});
    expect(await socket.refused).toBe(401);
  });

  it('accepts ?token=, forwards the URL without it, and keeps it out of every log line', async () => {
    const jwt = await token(7);
    const socket = openSocket(`/api/v1/stub/ws/tickers?x=1&token=${jwt}`);
    await socket.opened;
    const hello = JSON.parse(await socket.firstMessage) as { hello: string; user: string };
    expect(hello).toEqual({ hello: '/ws/tickers?x=1', user: '7' });
    socket.ws.close();
    await socket.closed;
    await new Promise((resolve) => setImmediate(resolve));
    const access = gw.logs.filter((line) => line.msg === 'request' && line.websocket === true);
    expect(access.some((line) => String(line.path).includes('token=[redacted]'))).toBe(true);
    expect(gw.logs.some((line) => JSON.stringify(line).includes(jwt))).toBe(false);
  });

  it('accepts Sec-WebSocket-Protocol: bearer, <token> and answers the 101 with "bearer"', async () => {
    const jwt = await token(7);
    const socket = openSocket('/api/v1/stub/ws', { protocols: ['bearer', jwt] });
    await socket.opened;
    expect(socket.ws.protocol).toBe('bearer');
    const seen = upstream.seen.at(-1);
    expect(String(seen?.headers['sec-websocket-protocol'] ?? '')).not.toContain(jwt);
    socket.ws.close();
    await socket.closed;
  });

  it('refuses a header token and a different ?token= with 400 (no 101)', async () => {
    const socket = openSocket(`/api/v1/stub/ws?token=${await token(2)}`, { headers: { authorization: `Bearer ${await token(1)}` } });
    socket.opened.catch(() => {});
    expect(await socket.refused).toBe(400);
  });

  it('closes the socket with 1008 when its token expires', async () => {
    const now = Math.floor(Date.now() / 1000);
    const shortLived = await new SignJWT({ user_id: 7, username: 'u@example.com', email: 'u@example.com', role: 'user' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u@example.com')
      .setIssuer('fullon-master-api')
      .setAudience('fullon')
      .setIssuedAt(now)
      .setExpirationTime(now + 1)
      .sign(new TextEncoder().encode(JWT_SECRET));
    const ctxs = () => [...gw.gateway.webSockets()];
    const socket = openSocket(`/api/v1/stub/ws?token=${shortLived}`);
    await socket.opened;
    // What main.ts does through createGateway's onWebSocketOpen.
    for (const ctx of ctxs()) webSocketExpiry.onOpen(ctx);
    expect(await socket.closed).toEqual({ code: 1008, reason: 'token expired' });
  });
});
