// External issuers by JWKS URL, against a real local JWKS server on port 0.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK, type CryptoKey } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthError } from '../../../../gateway/auth/errors.ts';
import { loadSigningKeys } from '../../../../gateway/auth/signing-keys.ts';
import { TokenService } from '../../../../gateway/auth/tokens.ts';
import { testSettings } from './support/auth-fixtures.ts';

const ISSUER = 'https://idp.example.com';

interface Jwks {
  url: string;
  keys: JWK[];
  fetches: number;
  close(): Promise<void>;
}

async function startJwksServer(): Promise<Jwks> {
  const state = { keys: [] as JWK[], fetches: 0 };
  const server: Server = createServer((_req, res) => {
    state.fetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    get keys() { return state.keys; },
    set keys(keys: JWK[]) { state.keys = keys; },
    get fetches() { return state.fetches; },
    set fetches(n: number) { state.fetches = n; },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

async function newKey(kid: string, alg = 'ES256'): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

function externalToken(key: CryptoKey, kid: string, claims: Record<string, unknown> = {}, alg = 'ES256', options: { iss?: string; aud?: string } = {}) {
  return new SignJWT({ user_id: 77, email: 'ext@example.com', ...claims })
    .setProtectedHeader({ alg, kid })
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(options.aud ?? 'fullon-ext')
    .setSubject('ext-user')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(key);
}

let jwks: Jwks;
beforeEach(async () => {
  jwks = await startJwksServer();
});
afterEach(() => jwks.close());

async function service(cooldownMs = 60_000, algorithms = ['RS256', 'ES256']) {
  const settings = testSettings({ JWT_EXTERNAL_ISSUERS: JSON.stringify([{ issuer: ISSUER, jwks_url: jwks.url, audience: 'fullon-ext', algorithms }]) });
  return new TokenService({ settings, keys: await loadSigningKeys(settings), remoteJwks: { cooldownMs } });
}

async function invalid(promise: Promise<unknown>) {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(AuthError);
  expect((error as AuthError).status).toBe(401);
}

describe('external issuers (JWT_EXTERNAL_ISSUERS)', () => {
  it('accepts a token signed by a key from the issuer JWKS', async () => {
    const key = await newKey('k1');
    jwks.keys = [key.jwk];
    const tokens = await service();
    await expect(tokens.verify(await externalToken(key.privateKey, 'k1', { role: 'admin', scope: 'ohlcv:write cache:write' }))).resolves.toMatchObject({
      kind: 'external',
      user: { userId: 77, email: 'ext@example.com', role: 'admin', scopes: ['ohlcv:write', 'cache:write'], authMethod: 'jwt' },
    });
  });

  it('caches the JWKS: many verifications, one fetch', async () => {
    const key = await newKey('k1');
    jwks.keys = [key.jwk];
    const tokens = await service();
    for (let i = 0; i < 5; i++) await tokens.verify(await externalToken(key.privateKey, 'k1'));
    expect(jwks.fetches).toBe(1);
  });

  it('refetches on an unknown kid (key rotation) once the cooldown has passed', async () => {
    const first = await newKey('k1');
    jwks.keys = [first.jwk];
    const tokens = await service(0);
    await tokens.verify(await externalToken(first.privateKey, 'k1'));
    const rotated = await newKey('k2');
    jwks.keys = [first.jwk, rotated.jwk];
    await expect(tokens.verify(await externalToken(rotated.privateKey, 'k2'))).resolves.toMatchObject({ kind: 'external', user: { userId: 77 } });
    expect(jwks.fetches).toBe(2);
  });

  it('does not refetch within the cooldown, so unknown kids cannot hammer the issuer', async () => {
    const first = await newKey('k1');
    jwks.keys = [first.jwk];
    const tokens = await service(60_000);
    await tokens.verify(await externalToken(first.privateKey, 'k1'));
    const stranger = await newKey('unknown');
    for (let i = 0; i < 5; i++) await invalid(tokens.verify(await externalToken(stranger.privateKey, 'unknown')));
    expect(jwks.fetches).toBe(1);
  });

  it('refuses a token from the issuer with a wrong audience', async () => {
    const key = await newKey('k1');
    jwks.keys = [key.jwk];
    await invalid((await service()).verify(await externalToken(key.privateKey, 'k1', {}, 'ES256', { aud: 'someone-else' })));
  });

  it('refuses an algorithm outside the issuer allowlist', async () => {
    const key = await newKey('k1', 'ES256');
    jwks.keys = [key.jwk];
    await invalid((await service(60_000, ['RS256'])).verify(await externalToken(key.privateKey, 'k1', {}, 'ES256')));
    await invalid((await service(60_000, ['EdDSA'])).verify(await externalToken(key.privateKey, 'k1', {}, 'ES256')));
  });

  it('refuses an HS256 token claiming the external issuer, signed with a JWKS public key', async () => {
    const key = await newKey('k1');
    jwks.keys = [key.jwk];
    const forged = await new SignJWT({ user_id: 1, email: 'x@y.z' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience('fullon-ext')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(JSON.stringify(key.jwk)));
    await invalid((await service()).verify(forged));
  });

  it('refuses an external token without a numeric user id', async () => {
    const key = await newKey('k1');
    jwks.keys = [key.jwk];
    await invalid((await service()).verify(await externalToken(key.privateKey, 'k1', { user_id: undefined })));
  });

  it('answers 401, not a hang or 500, when the JWKS server is gone', async () => {
    const key = await newKey('k1');
    const tokens = await service();
    await jwks.close();
    await invalid(tokens.verify(await externalToken(key.privateKey, 'k1')));
  });
});
