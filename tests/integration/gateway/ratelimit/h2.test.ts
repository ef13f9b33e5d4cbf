// Route rate limits over HTTP/2 (the HTTPS listener): the same count, the same
// IETF fields on a proxied 200 and the same 429 with Retry-After and {"detail"}
// as over HTTP/1.1; HTTP/1.1 and h2 requests of one user share the count.
import type { ClientHttp2Session } from 'node:http2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { h2Request, https1Request, startH2Gateway, type H2Gateway, type TestTls } from '../http/tls-harness.ts';
import type { TestGateway } from '../proxy/harness.ts';

const ROUTES = (stub: string) => `upstreams:
  stub: { url: ${stub} }
routes:
  - { prefix: /limited, upstream: stub, rewrite: "", auth: user, rate_limit: { requests: 3, per: 1m } }
`;

describe('rate limits over HTTP/2', () => {
  let h2: H2Gateway;
  let tls: TestTls;
  let gw: TestGateway;
  let session: ClientHttp2Session;
  beforeEach(async () => {
    h2 = await startH2Gateway(ROUTES);
    ({ tls, gw, session } = h2);
  });
  afterEach(() => h2.close());

  it('counts h2 and HTTP/1.1 requests together and answers the 4th with 429, Retry-After and the fields', async () => {
    const first = await h2Request(session, { ':path': '/limited/x', authorization: 'Bearer user' });
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-policy']).toBe('"user";q=3;w=60');
    expect(String(first.headers.ratelimit)).toMatch(/^"user";r=2;t=\d+$/);
    const second = await https1Request(gw.port, tls.pair.cert, '/limited/x', { authorization: 'Bearer user' });
    expect(second.status).toBe(200);
    expect(String(second.headers.ratelimit)).toMatch(/^"user";r=1;t=\d+$/);
    expect((await h2Request(session, { ':path': '/limited/x', authorization: 'Bearer user' })).status).toBe(200);
    const refused = await h2Request(session, { ':path': '/limited/x', authorization: 'Bearer user' });
    expect(refused.status).toBe(429);
    expect(refused.json()).toEqual({ detail: expect.stringMatching(/^Rate limit exceeded; retry in \d+ s$/) });
    expect(refused.headers['x-gateway-error']).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.headers.ratelimit).toBe(`"user";r=0;t=${refused.headers['retry-after']}`);
    // An admin is exempt (not counted) by default.
    expect((await h2Request(session, { ':path': '/limited/x', authorization: 'Bearer admin' })).status).toBe(200);
  });
});
