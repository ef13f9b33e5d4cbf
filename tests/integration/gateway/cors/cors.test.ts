// CORS at the edge, as the original configured Starlette's CORSMiddleware:
// preflights answered before routing and auth, headers on every answer to an
// allowed origin (errors included), nothing for an origin that is not allowed.
import { afterEach, describe, expect, it } from 'vitest';
import { readCorsSettings } from '../../../../gateway/cors/settings.ts';
import { request, startStubUpstream, startTestGateway, type StubUpstream, type TestGateway } from '../proxy/harness.ts';

let stub: StubUpstream;
let gw: TestGateway;
afterEach(async () => {
  await gw?.close();
  await stub?.close();
});

async function start(env: Record<string, string> = {}) {
  stub = await startStubUpstream({
    '/with-own-cors': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': 'https://evil.example', vary: 'Accept-Encoding' });
      res.end('{}');
    },
  });
  gw = await startTestGateway({
    yaml: `upstreams:
  stub: { url: ${stub.url} }
routes:
  - { prefix: /api/v1/open, upstream: stub, rewrite: "", auth: public }
  - { prefix: /api/v1/user, upstream: stub, rewrite: "", auth: user }
`,
    settings: { cors: readCorsSettings(env) },
  });
}

const APP = 'http://localhost:3000';
const preflight = (origin: string, method = 'DELETE', headers = 'authorization, x-api-key, content-type') => ({
  method: 'OPTIONS',
  headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
});

describe('CORS with the original defaults (any origin, credentials)', () => {
  it('answers a preflight at the edge, before auth, reflecting the origin', async () => {
    await start();
    const res = await request(`${gw.url}/api/v1/user/bots/3`, preflight(APP));
    expect(res.status).toBe(204);
    expect(res.headers).toMatchObject({
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-allow-headers': 'authorization, x-api-key, content-type',
      'access-control-max-age': '600',
    });
    expect(res.headers['access-control-allow-methods']).toContain('DELETE');
    expect(res.headers.vary).toMatch(/Origin/);
    expect(stub.seen).toHaveLength(0);
  });

  it.each([
    ['a proxied answer', '/api/v1/open/x', {}, 200],
    ['a 401 from auth', '/api/v1/user/x', {}, 401],
    ['a 404', '/nowhere', {}, 404],
    ['a 400 bad path', '/api/v1/open/%2e%2e/x', {}, 400],
  ])('puts the headers on %s', async (_name, path, headers, status) => {
    await start();
    const res = await request(gw.url, { path, headers: { origin: APP, ...headers } });
    expect(res.status).toBe(status);
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-expose-headers']).toBe('X-Request-Id,X-Total-Count,Link');
  });

  it("replaces an upstream's own CORS headers and keeps Origin in its Vary", async () => {
    await start();
    const res = await request(`${gw.url}/api/v1/open/with-own-cors`, { headers: { origin: APP } });
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    expect(res.headers.vary).toMatch(/Accept-Encoding/);
    expect(res.headers.vary).toMatch(/Origin/);
  });

  it('leaves requests without Origin and plain OPTIONS alone', async () => {
    await start();
    const plain = await request(`${gw.url}/api/v1/open/x`);
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
    const options = await request(`${gw.url}/api/v1/open/x`, { method: 'OPTIONS', headers: { origin: APP } });
    expect(options.status).toBe(200);
    expect(stub.seen.map((r) => r.method)).toEqual(['GET', 'OPTIONS']);
  });
});

describe('CORS with a list of origins', () => {
  const env = { CORS_ORIGINS: '["http://localhost:3000", "http://localhost:8080"]' };

  it('refuses a preflight from an origin not allowed with 400, without CORS headers, before any upstream', async () => {
    await start(env);
    const res = await request(`${gw.url}/api/v1/user/bots`, preflight('https://evil.example', 'POST'));
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ detail: 'Disallowed CORS origin' });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(stub.seen).toHaveLength(0);
  });

  it('answers a preflight from a listed origin', async () => {
    await start(env);
    const res = await request(`${gw.url}/api/v1/user/bots`, preflight('http://localhost:8080', 'POST'));
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:8080');
  });

  it('serves a simple request from an origin not allowed without CORS headers (the browser then hides it)', async () => {
    await start(env);
    const res = await request(`${gw.url}/api/v1/open/x`, { headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sends "*" without credentials when credentials are off', async () => {
    await start({ CORS_ALLOW_CREDENTIALS: 'false' });
    const res = await request(`${gw.url}/api/v1/open/x`, { headers: { origin: 'https://any.example' } });
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });
});
