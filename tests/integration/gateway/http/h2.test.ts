// The HTTPS listener (gateway/http/secure-server.ts) with a real certificate
// store: HTTP/2 and HTTP/1.1 chosen by ALPN on one port, and every contract of
// the HTTP/1.1 path kept over HTTP/2 against a real upstream process: auth (401,
// 403), limits (413, 431), error mapping (502, 503, 504 with {"detail"} and
// X-Gateway-Error), the access log, and what goes upstream (no pseudo-headers,
// HTTP/1.1 with the client's host in X-Forwarded-Host).
import type { ClientHttp2Session } from 'node:http2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StubUpstream, TestGateway } from '../proxy/harness.ts';
import { h2Request, https1Request, startH2Gateway, type H2Gateway, type TestTls } from './tls-harness.ts';

const ROUTES = (stub: string) => `upstreams:
  stub: { url: ${stub}, timeouts: { request: 300ms } }
  gone: { url: http://127.0.0.1:1 }
routes:
  - { prefix: /open, upstream: stub, rewrite: "", auth: public, body_limit: 1kb }
  - { prefix: /user, upstream: stub, rewrite: "", auth: user }
  - { prefix: /admin, upstream: stub, rewrite: "", auth: admin }
  - { prefix: /gone, upstream: gone, rewrite: "", auth: public }
`;

describe('HTTPS listener: HTTP/2 keeps the HTTP/1.1 contracts', () => {
  let h2: H2Gateway;
  let tls: TestTls;
  let stub: StubUpstream;
  let gw: TestGateway;
  let session: ClientHttp2Session;
  beforeEach(async () => {
    h2 = await startH2Gateway(ROUTES, { maxHeaderBytes: 4096 });
    ({ tls, stub, gw, session } = h2);
  });
  afterEach(() => h2.close());

  it('negotiates h2 by ALPN and proxies over HTTP/1.1 without pseudo-headers, Host from :authority', async () => {
    const res = await h2Request(session, { ':path': '/open/echo?a=1', 'x-client': 'yes' });
    expect(res.status).toBe(200);
    expect(session.alpnProtocol).toBe('h2');
    const seen = res.json();
    expect(seen.url).toBe('/echo?a=1');
    expect(Object.keys(seen.headers).filter((name) => name.startsWith(':'))).toEqual([]);
    expect(seen.headers['x-client']).toBe('yes');
    expect(seen.headers['x-forwarded-host']).toBe(`localhost:${gw.port}`);
    expect(seen.headers['x-forwarded-proto']).toBe('https');
    expect(seen.headers.host).toBe(`127.0.0.1:${stub.port}`);
    // Hop-by-hop fields are illegal in HTTP/2 responses (RFC 9113 §8.2.2).
    expect(res.headers.connection).toBeUndefined();
    expect(res.headers['keep-alive']).toBeUndefined();
    expect(res.headers['transfer-encoding']).toBeUndefined();
  });

  it('serves HTTP/1.1 on the same port to a client that offers only http/1.1', async () => {
    const res = await https1Request(gw.port, tls.pair.cert, '/open/echo');
    expect(res.status).toBe(200);
    expect(res.alpn).toBe('http/1.1');
    expect(JSON.parse(res.text).headers['x-forwarded-proto']).toBe('https');
  });

  it('streams a request body without Content-Length upstream (HTTP/1.1 chunked there)', async () => {
    const res = await h2Request(session, { ':path': '/open/echo', ':method': 'POST' }, ['hello ', 'over ', 'h2']);
    expect(res.status).toBe(200);
    expect(res.json().body).toBe('hello over h2');
    expect(res.json().method).toBe('POST');
  });

  it.each([
    ['no credentials on a user route', '/user/x', {}, 401, 'UNAUTHORIZED'],
    ['a bad token', '/user/x', { authorization: 'Bearer bad' }, 401, undefined],
    ['a user on an admin route', '/admin/x', { authorization: 'Bearer user' }, 403, 'FORBIDDEN'],
  ])('refuses %s with the same answer as HTTP/1.1', async (_name, path, headers, status, code) => {
    const res = await h2Request(session, { ':path': path, ...headers });
    expect(res.status).toBe(status);
    expect(res.json()).toHaveProperty('detail');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    if (code) expect(res.headers['x-gateway-error']).toBe(code);
    expect(stub.seen).toHaveLength(0);
  });

  it('lets an authenticated user through with the identity headers', async () => {
    const res = await h2Request(session, { ':path': '/user/echo', authorization: 'Bearer user' });
    expect(res.status).toBe(200);
    expect(res.json().headers['x-user-id']).toBe('7');
    expect(res.json().headers.authorization).toBeUndefined();
  });

  it('answers a declared body over the route limit with 413 before the upstream sees it', async () => {
    const res = await h2Request(session, { ':path': '/open/echo', ':method': 'POST', 'content-length': '2048' }, Buffer.alloc(2048));
    expect(res.status).toBe(413);
    expect(res.json()).toEqual({ detail: 'Request body too large (limit 1024 bytes)' });
    expect(res.headers['x-gateway-error']).toBe('PAYLOAD_TOO_LARGE');
    expect(stub.seen).toHaveLength(0);
  });

  it('answers a streamed body that grows past the limit with 413', async () => {
    const res = await h2Request(session, { ':path': '/open/slow?ms=2000', ':method': 'POST' }, [Buffer.alloc(800, 1), Buffer.alloc(800, 2)]);
    expect(res.status).toBe(413);
    expect(res.headers['x-gateway-error']).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers headers over MAX_HEADER_BYTES with the JSON 431, and the session keeps serving', async () => {
    const res = await h2Request(session, { ':path': '/open/x', 'x-big': 'a'.repeat(5000) });
    expect(res.status).toBe(431);
    expect(res.json()).toEqual({ detail: 'Request header fields too large' });
    expect(res.headers['x-gateway-error']).toBe('HEADERS_TOO_LARGE');
    expect(stub.seen).toHaveLength(0);
    expect((await h2Request(session, { ':path': '/open/x' })).status).toBe(200);
  });

  it.each([
    ['an upstream that refuses connections', '/gone/x', 502, 'BAD_GATEWAY'],
    ['an upstream slower than its deadline', '/open/slow?ms=3000', 504, 'GATEWAY_TIMEOUT'],
  ])('maps %s (%s) to %i with {"detail"} and X-Gateway-Error', async (_name, path, status, code) => {
    const res = await h2Request(session, { ':path': path });
    expect(res.status).toBe(status);
    expect(res.headers['x-gateway-error']).toBe(code);
    expect(typeof res.json().detail).toBe('string');
  });

  it('answers 503 for an upstream marked down', async () => {
    gw.registry.setHealthVerdict('stub', { reason: 'failing checks', retryAfterS: 2 });
    const res = await h2Request(session, { ':path': '/open/x' });
    expect(res.status).toBe(503);
    expect(res.headers['x-gateway-error']).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('writes one access line per HTTP/2 request, with the status sent', async () => {
    await h2Request(session, { ':path': '/open/echo?token=secret' });
    await h2Request(session, { ':path': '/user/x' });
    const lines = gw.logs.filter((line) => line.msg === 'request');
    expect(lines.map((line) => [line.method, line.path, line.status])).toEqual([
      ['GET', '/open/echo?token=[redacted]', 200],
      ['GET', '/user/x', 401],
    ]);
  });

  it('refuses CONNECT over HTTP/2 with the JSON 400', async () => {
    const res = await h2Request(session, { ':method': 'CONNECT', ':authority': 'example.com:443' });
    expect(res.status).toBe(400);
    expect(res.headers['x-gateway-error']).toBe('CONNECT_NOT_SUPPORTED');
  });

  it('does not advertise extended CONNECT, so WebSocket clients use HTTP/1.1 (RFC 8441 §3)', async () => {
    await h2Request(session, { ':path': '/open/x' });
    expect(session.remoteSettings.enableConnectProtocol).toBe(false);
  });
});
