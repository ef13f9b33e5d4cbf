// The verifying half of the gateway assertion, exercised through a real
// createUpstreamApp listening on port 0: only a valid assertion for this
// upstream gets in, and forged identity headers alone never do.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { SignJWT, UnsecuredJWT } from 'jose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAssertionKeys } from '../../../../upstreams/common/assertion-keys.ts';
import { createUpstreamApp, identityOf } from '../../../../upstreams/common/server.ts';
import { TEST_ASSERTION_ENV, TEST_ASSERTION_KEY, makeTestKey, signTestAssertion, type TestKey } from '../../../helpers/assertion.ts';
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  app = createUpstreamApp({ name: 'orm', logger: pino({ level: 'silent' }), env: TEST_ASSERTION_ENV });
  app.get('/whoami', async (request) => identityOf(request));
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(() => app.close());

function assertion(claims: Record<string, unknown>, options: { aud?: string; iss?: string; iat?: number; exp?: number; key?: TestKey | Uint8Array; alg?: string } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const key = options.key ?? TEST_ASSERTION_KEY;
  const signingKey = key instanceof Uint8Array ? key : key.privateKey;
  return new SignJWT({ email: 'a@example.com', role: 'user', scopes: [], auth_method: 'jwt', ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'EdDSA', kid: key instanceof Uint8Array ? TEST_ASSERTION_KEY.kid : key.kid })
    .setSubject('5')
    .setIssuer(options.iss ?? 'fullon-gateway')
    .setAudience(options.aud ?? 'orm')
    .setIssuedAt(options.iat ?? now)
    .setExpirationTime(options.exp ?? now + 60)
    .sign(signingKey);
}

async function status(headers: Record<string, string>, path = '/whoami') {
  const response = await fetch(`${base}${path}`, { headers });
  return { status: response.status, body: (await response.json()) as unknown, challenge: response.headers.get('www-authenticate') };
}

describe('createUpstreamApp assertion hook', () => {
  it('lets a valid assertion through and takes identity only from it', async () => {
    const token = await signTestAssertion('orm', { userId: 5, email: 'a@example.com', role: 'user', scopes: ['ohlcv:write'] });
    const result = await status({ 'x-gateway-assertion': token, 'x-user-id': '1', 'x-user-role': 'admin' });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ userId: 5, email: 'a@example.com', role: 'user', scopes: ['ohlcv:write'], authMethod: 'jwt' });
  });

  it('keeps /health public', async () => {
    const response = await fetch(`${base}/health`);
    expect(response.status).not.toBe(401);
  });

  it.each<[string, () => Promise<Record<string, string>>]>([
    ['no assertion', async () => ({})],
    ['forged x-user-* headers only', async () => ({ 'x-user-id': '1', 'x-user-email': 'admin@fullon', 'x-user-role': 'admin', 'x-auth-method': 'jwt' })],
    ['an empty assertion', async () => ({ 'x-gateway-assertion': '' })],
    ['garbage', async () => ({ 'x-gateway-assertion': 'not.a.jwt' })],
    ['a wrong audience', async () => ({ 'x-gateway-assertion': await assertion({}, { aud: 'ohlcv' }) })],
    ['a wrong issuer', async () => ({ 'x-gateway-assertion': await assertion({}, { iss: 'someone' }) })],
    ['a wrong key (same kid)', async () => ({ 'x-gateway-assertion': await assertion({}, { key: makeTestKey(TEST_ASSERTION_KEY.kid) }) })],
    ['an unknown kid', async () => ({ 'x-gateway-assertion': await assertion({}, { key: makeTestKey('someone-else') }) })],
    ['HS256 keyed with the public JWKS text (alg confusion)', async () => ({ 'x-gateway-assertion': await assertion({}, { alg: 'HS256', key: new TextEncoder().encode(TEST_ASSERTION_ENV.GATEWAY_ASSERTION_JWKS!) }) })],
    ['an expired assertion', async () => ({ 'x-gateway-assertion': await assertion({}, { iat: Math.floor(Date.now() / 1000) - 200, exp: Math.floor(Date.now() / 1000) - 100 }) })],
    ['an assertion older than 60 s (still unexpired)', async () => ({ 'x-gateway-assertion': await assertion({}, { iat: Math.floor(Date.now() / 1000) - 3600, exp: Math.floor(Date.now() / 1000) + 3600 }) })],
    ['alg none', async () => ({ 'x-gateway-assertion': new UnsecuredJWT({ role: 'admin', auth_method: 'gateway' }).setSubject('0').setIssuer('fullon-gateway').setAudience('orm').setIssuedAt().setExpirationTime('60s').encode() })],
    ['HS512', async () => ({ 'x-gateway-assertion': await assertion({}, { alg: 'HS512', key: new TextEncoder().encode('z'.repeat(64)) }) })],
    ['a bad role', async () => ({ 'x-gateway-assertion': await assertion({ role: 'root' }) })],
    ['a bad auth method', async () => ({ 'x-gateway-assertion': await assertion({ auth_method: 'magic' }) })],
    ['a 9 KB assertion (over the verifier cap)', async () => ({ 'x-gateway-assertion': 'a'.repeat(9 * 1024) })],
  ])('answers 401 {"detail"} for %s', async (_name, headers) => {
    const result = await status(await headers());
    expect(result.status).toBe(401);
    expect(result.body).toEqual({ detail: expect.any(String) });
    expect(result.challenge).toBe('Bearer');
  });

  it('refuses a 100 KB assertion at the HTTP layer (431), never accepting it', async () => {
    const response = await fetch(`${base}/whoami`, { headers: { 'x-gateway-assertion': 'a'.repeat(100 * 1024) } });
    expect([401, 431]).toContain(response.status);
  });

  it('answers 401, not 404, for an unknown path without an assertion (nothing to probe)', async () => {
    expect((await status({}, '/no/such/route')).status).toBe(401);
  });
});
