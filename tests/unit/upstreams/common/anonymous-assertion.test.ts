// The gateway's anonymous assertion (sent on `auth: public` routes) through a real
// createUpstreamApp: it reaches only routes that declare `anonymous: true`, where
// identity is null; everywhere else it is a 401 naming the need to sign in. No
// assertion, a forged one or one signed by another key stays a 401 as before.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssertionSigner } from '../../../../gateway/auth/assertion-signer.ts';
import { createAssertionVerifier, createCallerVerifier } from '../../../../upstreams/common/assertion.ts';
import { loadAssertionKeys } from '../../../../upstreams/common/assertion-keys.ts';
import { describeRoute } from '../../../../upstreams/common/openapi.ts';
import { SIGNED_IN_REQUIRED, createUpstreamApp, identityOf } from '../../../../upstreams/common/server.ts';
import { TEST_ASSERTION_ENV, TEST_SIGNER_OPTIONS, makeTestKey, signTestAnonymousAssertion, signTestAssertion } from '../../../helpers/assertion.ts';

let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  app = createUpstreamApp({ name: 'ohlcv_api', logger: pino({ level: 'silent' }), env: TEST_ASSERTION_ENV });
  app.get('/open', describeRoute({ anonymous: true, summary: 'open' }), async (request) => ({ identity: request.identity }));
  app.get('/closed', describeRoute({ summary: 'closed' }), async (request) => identityOf(request));
  app.post('/open', async (request) => identityOf(request));
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(() => app.close());

async function call(path: string, headers: Record<string, string>, method = 'GET') {
  const response = await fetch(`${base}${path}`, { method, headers });
  return { status: response.status, body: (await response.json()) as unknown };
}

const anonymous = () => signTestAnonymousAssertion('ohlcv_api');

describe('anonymous gateway assertion at an upstream', () => {
  it('reaches a route that allows anonymous callers, with a null identity', async () => {
    expect(await call('/open', { 'x-gateway-assertion': await anonymous() })).toEqual({ status: 200, body: { identity: null } });
  });

  it('the gateway signer\'s anonymous assertion is the one upstreams accept', async () => {
    const { token } = await new AssertionSigner(TEST_SIGNER_OPTIONS).signAnonymous('ohlcv_api');
    expect(await call('/open', { 'x-gateway-assertion': token })).toEqual({ status: 200, body: { identity: null } });
    const keys = loadAssertionKeys(TEST_ASSERTION_ENV);
    await expect(createCallerVerifier({ audience: 'ohlcv_api', keys })(token)).resolves.toBeNull();
    // The strict verifier (service code that needs a caller) never takes it as somebody.
    await expect(createAssertionVerifier({ audience: 'ohlcv_api', keys })(token)).rejects.toThrow('anonymous assertion');
  });

  it('is refused with 401 on a route that does not allow anonymous callers', async () => {
    expect(await call('/closed', { 'x-gateway-assertion': await anonymous() })).toEqual({ status: 401, body: { detail: SIGNED_IN_REQUIRED } });
  });

  it('is refused on another method of an anonymous-friendly path', async () => {
    expect(await call('/open', { 'x-gateway-assertion': await anonymous() }, 'POST')).toEqual({ status: 401, body: { detail: SIGNED_IN_REQUIRED } });
  });

  it.each<[string, () => Promise<Record<string, string>>]>([
    ['no assertion', async () => ({})],
    ['forged x-user-* headers only', async () => ({ 'x-user-id': '1', 'x-user-role': 'admin', 'x-auth-method': 'anonymous' })],
    ['an anonymous assertion signed with a wrong key', async () => ({ 'x-gateway-assertion': await signTestAnonymousAssertion('ohlcv_api', makeTestKey('test-gateway-key')) })],
    ['an anonymous assertion for another upstream', async () => ({ 'x-gateway-assertion': await signTestAnonymousAssertion('orm_api') })],
    ['an anonymous assertion that names a subject', async () => ({ 'x-gateway-assertion': await signTestAnonymousAssertion('ohlcv_api', undefined, '1') })],
  ])('refuses %s with 401, even on an anonymous-friendly route', async (_name, headers) => {
    const result = await call('/open', await headers());
    expect(result.status).toBe(401);
    expect(result.body).toEqual({ detail: 'Not authenticated: a valid gateway assertion is required' });
  });

  it('still hands a signed-in caller\'s identity to an anonymous-friendly route', async () => {
    const token = await signTestAssertion('ohlcv_api', { userId: 5, email: 'a@example.com' });
    const result = await call('/open', { 'x-gateway-assertion': token });
    expect(result).toMatchObject({ status: 200, body: { identity: { userId: 5, email: 'a@example.com', authMethod: 'jwt' } } });
  });
});
