// Issue 10 finding #1 (per-hop identities). Every child used to get the same
// GATEWAY_ASSERTION_SECRET, so any upstream could mint a gateway assertion for
// any other. Now: children are started through the real supervisor (fake
// spawner), and everything in their environment is tried as a signing key —
// nothing in it yields a gateway assertion their peers accept, and a service's
// own key passes only as that service, on the routes granted to it.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayAssertionKey, type GatewayAssertionKey } from '../../../gateway/auth/assertion-key.ts';
import { AssertionSigner, GATEWAY_SERVICE_IDENTITY } from '../../../gateway/auth/assertion-signer.ts';
import { UpstreamRegistry } from '../../../gateway/registry/upstream-registry.ts';
import { HopIdentities } from '../../../gateway/supervisor/hop-identities.ts';
import { createSupervisor } from '../../../gateway/supervisor/supervisor.ts';
import { createUpstreamApp, identityOf, requireGateway } from '../../../upstreams/common/server.ts';
import { loadServiceSigner } from '../../../upstreams/common/service-assertion.ts';
import { gatewayConfig, processConfig, serviceConfig, upstreamConfig } from '../../fixtures/processes/configs.ts';
import { createFakeSpawner } from '../../fixtures/processes/fake-spawner.ts';

const GATEWAY_ENV = { PATH: '/usr/bin', JWT_SECRET_KEY: 'j'.repeat(40), GATEWAY_ASSERTION_SECRET: 'legacy-shared-secret-0123456789abcdef' };

let dataDir: string;
let gatewayKey: GatewayAssertionKey;
const envs = new Map<string, Record<string, string>>();
const apps = new Map<string, FastifyInstance>();

/** Each upstream app built from exactly the environment its child was given. */
function appFor(name: string): FastifyInstance {
  const app = createUpstreamApp({ name, logger: pino({ level: 'silent' }), env: envs.get(name) });
  app.get('/internal/users/:uid/ownership', async (request) => ({ by: requireGateway(request) }));
  app.get('/internal/collectors/accounts', async (request) => ({ by: requireGateway(request) }));
  app.post('/internal/auth/verify-credentials', async (request) => ({ by: requireGateway(request) }));
  app.get('/users/me', async (request) => identityOf(request));
  return app;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'hops-'));
  gatewayKey = loadGatewayAssertionKey({ env: {}, dataDir, persist: false });
  const fake = createFakeSpawner();
  let port = 41_000;
  const supervisor = createSupervisor({
    registry: new UpstreamRegistry(),
    logger: pino({ level: 'silent' }),
    env: GATEWAY_ENV,
    identities: new HopIdentities({ gatewayJwks: gatewayKey.jwks }),
    spawner: fake.spawner,
    probe: async () => ({ ok: true, status: 200, latencyMs: 1 }) as never,
    random: () => 0,
    pickPort: async () => port++,
  });
  await supervisor.apply(gatewayConfig([upstreamConfig('orm_api'), upstreamConfig('cache_api')], [serviceConfig('account', { process: processConfig() })]));
  for (const name of ['orm_api', 'cache_api', 'account']) {
    await supervisor.start(name);
    envs.set(name, fake.children.at(-1)!.request.env as Record<string, string>);
  }
  for (const name of ['orm_api', 'cache_api']) apps.set(name, appFor(name));
  await supervisor.stopAll();
});
afterAll(async () => {
  await Promise.all([...apps.values()].map((app) => app.close()));
  rmSync(dataDir, { recursive: true, force: true });
});

/** Every value in an env that is a private key (PEM), whatever its name. */
function privateKeysIn(env: Record<string, string>): KeyObject[] {
  return Object.values(env).flatMap((value) => {
    try {
      return [createPrivateKey(value)];
    } catch {
      return [];
    }
  });
}

function forge(key: KeyObject | Uint8Array, kid: string, alg: string) {
  return new SignJWT({ email: 'admin@fullon', role: 'admin', scopes: ['admin'], auth_method: 'gateway' })
    .setProtectedHeader({ alg, kid })
    .setSubject('1')
    .setIssuer('fullon-gateway')
    .setAudience('orm_api')
    .setIssuedAt()
    .setExpirationTime('60s')
    .sign(key);
}

async function call(app: string, url: string, token: string, method: 'GET' | 'POST' = 'GET') {
  const response = await apps.get(app)!.inject({ method, url, headers: { 'x-gateway-assertion': token }, payload: method === 'POST' ? {} : undefined });
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
}

describe('a child environment', () => {
  it('holds public gateway keys, its own service key, and no shared secret', () => {
    for (const [name, env] of envs) {
      expect(env).not.toHaveProperty('GATEWAY_ASSERTION_SECRET');
      expect(env).not.toHaveProperty('JWT_SECRET_KEY');
      expect(Object.values(env).join('\n')).not.toContain(GATEWAY_ENV.GATEWAY_ASSERTION_SECRET);
      expect(JSON.parse(env.GATEWAY_ASSERTION_JWKS!).keys.every((jwk: object) => !('d' in jwk))).toBe(true);
      expect(env.SERVICE_NAME).toBe(name);
      // Its only private key is its own service key, not the gateway's.
      const keys = privateKeysIn(env);
      expect(keys).toHaveLength(1);
      expect(keys[0]!.equals(gatewayKey.privateKey)).toBe(false);
    }
    expect(envs.get('orm_api')!.SERVICE_ASSERTION_PRIVATE_KEY).not.toBe(envs.get('cache_api')!.SERVICE_ASSERTION_PRIVATE_KEY);
  });

  it('cannot sign a gateway assertion the orm accepts: every private key and every value as an HMAC secret is refused', async () => {
    const cacheEnv = envs.get('cache_api')!;
    const attempts: string[] = [];
    for (const key of privateKeysIn(cacheEnv)) for (const kid of [gatewayKey.kid, 'cache_api']) attempts.push(await forge(key, kid, 'EdDSA'));
    for (const value of Object.values(cacheEnv)) for (const alg of ['HS256', 'HS512']) attempts.push(await forge(new TextEncoder().encode(value), gatewayKey.kid, alg));
    for (const token of attempts) expect((await call('orm_api', '/users/me', token)).status).toBe(401);
  });

  it('still verifies what the gateway signs (the real signer and key)', async () => {
    const signer = new AssertionSigner({ key: gatewayKey.privateKey, kid: gatewayKey.kid });
    const token = await signer.sign({ userId: 5, email: 'u@example.com', role: 'user', scopes: [], authMethod: 'jwt' }, 'orm_api');
    expect(await call('orm_api', '/users/me', token)).toEqual({ status: 200, body: { userId: 5, email: 'u@example.com', role: 'user', scopes: [], authMethod: 'jwt' } });
    expect((await call('orm_api', '/internal/auth/verify-credentials', await signer.sign(GATEWAY_SERVICE_IDENTITY, 'orm_api'), 'POST')).status).toBe(200);
  });
});

describe('a service calling another service', () => {
  it('is told apart from the gateway, and reaches only the routes granted to it', async () => {
    const cache = loadServiceSigner(envs.get('cache_api'))!;
    const token = await cache.sign('orm_api');
    const ownership = await call('orm_api', '/internal/users/7/ownership', token);
    expect(ownership).toEqual({ status: 200, body: { by: { userId: 0, email: 'cache_api@services.internal', role: 'admin', scopes: [], authMethod: 'service', service: 'cache_api' } } });
    // Not the login check, not a user route, not the account collector's credentials.
    for (const [url, method] of [['/internal/auth/verify-credentials', 'POST'], ['/users/me', 'GET'], ['/internal/collectors/accounts', 'GET']] as const) {
      const refused = await call('orm_api', url, token, method);
      expect(refused.status).toBe(403);
      expect(refused.body.detail).toMatch(/Service 'cache_api' may not call/);
    }
    const account = loadServiceSigner(envs.get('account'))!;
    expect((await call('orm_api', '/internal/collectors/accounts', await account.sign('orm_api'))).status).toBe(200);
    expect((await call('orm_api', '/internal/users/7/ownership', await account.sign('orm_api'))).status).toBe(403);
  });

  it('cannot impersonate a user or another service with its own key', async () => {
    const cacheKey = privateKeysIn(envs.get('cache_api')!)[0]!;
    const service = (claims: Record<string, unknown>, sub: string, kid: string) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid }).setSubject(sub).setIssuer('fullon-service').setAudience('orm_api').setIssuedAt().setExpirationTime('30s').sign(cacheKey);
    // User claims are ignored: the caller stays the cache service.
    const asUser = await call('orm_api', '/internal/users/7/ownership', await service({ role: 'user', email: 'victim@example.com', auth_method: 'jwt' }, 'cache_api', 'cache_api'));
    expect(asUser.body.by).toMatchObject({ authMethod: 'service', service: 'cache_api', userId: 0 });
    // Another name: the key does not match, or the subject is not the signer.
    expect((await call('orm_api', '/internal/collectors/accounts', await service({}, 'account', 'account'))).status).toBe(401);
    expect((await call('orm_api', '/internal/collectors/accounts', await service({}, 'account', 'cache_api'))).status).toBe(401);
  });
});
