// Symbols travel URL-encoded in paths (DESIGN.md "Compatibility with fullon
// clients"): an encoded "/" is data inside its segment, forwarded as sent, and the
// upstreams' fastify router hands it to the route as one decoded parameter.
// Every traversal spelling is still refused before any upstream sees it.
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EdgeAuth } from '../../../../gateway/auth/types.ts';
import { createUpstreamApp } from '../../../../upstreams/common/server.ts';
import { TEST_ASSERTION_ENV, signTestAssertion } from '../../../helpers/assertion.ts';
import { request, startStubUpstream, startTestGateway, stubAuth, type StubUpstream, type TestGateway } from './harness.ts';

/** The stub auth, but with real assertions so a real upstream bootstrap accepts the hop. */
function signingAuth(): EdgeAuth {
  return { ...stubAuth(), identityHeaders: async (user, upstream) => ({ 'x-gateway-assertion': await signTestAssertion(upstream, { userId: user.userId }) }) };
}

describe('encoded paths through the gateway', () => {
  let stub: StubUpstream;
  let upstream: FastifyInstance;
  let gw: TestGateway;
  beforeEach(async () => {
    stub = await startStubUpstream();
    upstream = createUpstreamApp({ name: 'md', logger: pino({ level: 'silent' }), env: TEST_ASSERTION_ENV });
    upstream.get('/candles/:exchange/:symbol/:timeframe', async (req) => ({ params: req.params, url: req.url }));
    upstream.get('/symbols/:symbol', async (req) => ({ params: req.params }));
    await upstream.listen({ port: 0, host: '127.0.0.1' });
    const address = upstream.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    gw = await startTestGateway({
      auth: signingAuth(),
      yaml: `upstreams:
  stub: { url: ${stub.url} }
  md: { url: http://127.0.0.1:${port} }
routes:
  - { prefix: /api/v1/stub, upstream: stub, rewrite: "", auth: public }
  - { prefix: /api/v1/admin, upstream: stub, rewrite: "", auth: admin }
  - { prefix: /api/v1/md, upstream: md, rewrite: "", auth: user }
`,
    });
  });
  afterEach(async () => {
    await gw.close();
    await upstream.close();
    await stub.close();
  });

  it.each([
    ['/api/v1/stub/candles/hyperliquid/BTC%2FUSDC/1h', '/candles/hyperliquid/BTC%2FUSDC/1h'],
    ['/api/v1/stub/candles/kraken/BTC%2FUSD%3ABTC/1h', '/candles/kraken/BTC%2FUSD%3ABTC/1h'],
    ['/api/v1/stub/x/btc%2fusdc?limit=5', '/x/btc%2fusdc?limit=5'],
    ['/api/v1/stub/x/BTC%252FUSDC', '/x/BTC%252FUSDC'],
    ['/api/v1/%73tub/x/%41', '/x/%41'],
  ])('forwards %s exactly as sent (upstream sees %s)', async (path, upstreamPath) => {
    const res = await request(gw.url, { path });
    expect(res.status).toBe(200);
    expect(res.json().url).toBe(upstreamPath);
  });

  it.each([
    ['BTC%2FUSDC', 'BTC/USDC'],
    ['BTC%2FUSD%3ABTC', 'BTC/USD:BTC'],
    ['BTC%252FUSDC', 'BTC%2FUSDC'],
  ])('the upstream router gets %s as the one parameter %s', async (encoded, symbol) => {
    const res = await request(gw.url, { path: `/api/v1/md/candles/hyperliquid/${encoded}/1h`, headers: { authorization: 'Bearer user' } });
    expect(res.status).toBe(200);
    expect(res.json().params).toEqual({ exchange: 'hyperliquid', symbol, timeframe: '1h' });
    const single = await request(gw.url, { path: `/api/v1/md/symbols/${encoded}`, headers: { authorization: 'Bearer user' } });
    expect(single.json().params).toEqual({ symbol });
  });

  it('never lets an encoded "/" assemble a prefix the raw path does not have', async () => {
    const res = await request(gw.url, { path: '/api%2Fv1%2Fadmin/x' });
    expect(res.status).toBe(404);
    expect(stub.seen).toHaveLength(0);
  });

  it.each([
    '/api/v1/stub/../admin/x',
    '/api/v1/stub/./x',
    '/api/v1/stub/%2e%2e/admin/x',
    '/api/v1/stub/%2E%2E/admin/x',
    '/api/v1/stub/.%2E/admin/x',
    '/api/v1/stub%2f..%2fadmin',
    '/api/v1/stub/a%2F..%2Fb',
    '/api/v1/stub/..%2Fadmin',
    '/api/v1/stub/%252e%252e/admin',
    '/api/v1/stub/a%252F..%252Fb',
    '/api/v1/stub/..%5cadmin',
    '/api/v1/stub/..%5Cadmin',
    '/api/v1/stub/a%255Cb',
    '/api/v1/stub\\..\\admin',
    '/api/v1/stub/a%00',
    '/api/v1/stub/a%2500',
    '/api/v1/stub/a%0d%0aX-Injected:%201',
    '/api/v1/stub/a%7f',
  ])('refuses %s with 400 and never reaches an upstream', async (path) => {
    const res = await request(gw.url, { path });
    expect(res.status).toBe(400);
    expect(res.json().detail).toMatch(/^Invalid path/);
    expect(stub.seen).toHaveLength(0);
  });
});
