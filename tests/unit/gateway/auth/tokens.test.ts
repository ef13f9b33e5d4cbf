import { generateKeyPairSync, createSecretKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, UnsecuredJWT, decodeJwt, decodeProtectedHeader, exportJWK } from 'jose';
import { describe, expect, it, onTestFinished } from 'vitest';
import { AuthError } from '../../../../gateway/auth/errors.ts';
import { loadSigningKeys } from '../../../../gateway/auth/signing-keys.ts';
import { TokenService } from '../../../../gateway/auth/tokens.ts';
import { TEST_JWT_SECRET, testSettings } from './support/auth-fixtures.ts';

const secret = new TextEncoder().encode(TEST_JWT_SECRET);
const now = () => Math.floor(Date.now() / 1000);

async function hsService(env: Record<string, string> = {}) {
  const settings = testSettings(env);
  return new TokenService({ settings, keys: await loadSigningKeys(settings) });
}

function claims(overrides: Record<string, unknown> = {}) {
  return { sub: 'a@example.com', user_id: 7, username: 'a@example.com', email: 'a@example.com', role: 'user', ...overrides };
}

function forge(payload: Record<string, unknown>, options: { iss?: string; aud?: string; exp?: number; nbf?: number; key?: Uint8Array } = {}) {
  let jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setIssuer(options.iss ?? 'fullon-master-api')
    .setAudience(options.aud ?? 'fullon')
    .setExpirationTime(options.exp ?? now() + 600);
  if (options.nbf !== undefined) jwt = jwt.setNotBefore(options.nbf);
  return jwt.sign(options.key ?? secret);
}

async function expectInvalid(service: TokenService, token: string) {
  const error = await service.verify(token).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuthError);
  expect((error as AuthError).status).toBe(401);
  expect((error as AuthError).code).toBe('INVALID_TOKEN');
}

function writeKeyPair(type: 'ed25519' | 'rsa' | 'ec'): { privateFile: string; publicFile: string; publicPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fullon-keys-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const pair =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : type === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        : generateKeyPairSync('ed25519');
  const privatePem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const publicPem = pair.publicKey.export({ format: 'pem', type: 'spki' }) as string;
  writeFileSync(join(dir, 'private.pem'), privatePem);
  writeFileSync(join(dir, 'public.pem'), publicPem);
  return { privateFile: join(dir, 'private.pem'), publicFile: join(dir, 'public.pem'), publicPem };
}

describe('TokenService (HS256)', () => {
  it('issues tokens whose claims are exactly those of DESIGN.md', async () => {
    const service = await hsService();
    const issued = await service.issue({ uid: 42, mail: 'trader@example.com', role: 'user' });
    const payload = decodeJwt(issued.token);
    // No aud: fullon's Python services (PyJWT decoding without an audience) refuse any token carrying one.
    expect(Object.keys(payload).sort()).toEqual(['email', 'exp', 'iat', 'iss', 'jti', 'role', 'sub', 'user_id', 'username']);
    expect(payload).toMatchObject({ sub: 'trader@example.com', user_id: 42, username: 'trader@example.com', email: 'trader@example.com', role: 'user', iss: 'fullon-master-api' });
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(issued.expiresIn).toBe(3600);
    expect(decodeProtectedHeader(issued.token).alg).toBe('HS256');
  });

  it('honours JWT_EXPIRATION_MINUTES and JWT_ISSUER', async () => {
    const service = await hsService({ JWT_EXPIRATION_MINUTES: '5', JWT_ISSUER: 'me', JWT_AUDIENCE: 'them' });
    const payload = decodeJwt((await service.issue({ uid: 1, mail: 'x@y.z', role: 'admin' })).token);
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(payload.iss).toBe('me');
    expect(payload.aud).toBeUndefined();
  });

  it('verifies its own tokens into a local token naming the user by id (role and state are the orm\'s)', async () => {
    const service = await hsService();
    const issued = await service.issue({ uid: 42, mail: 'trader@example.com', role: 'admin' });
    await expect(service.verify(issued.token)).resolves.toEqual({ kind: 'local', userId: 42, scopes: [], expiresAt: issued.expiresAt });
  });

  it('accepts a fullon-format token: HS256 with JWT_SECRET_KEY, sub/user_id/username/email/exp, no iss or aud', async () => {
    const service = await hsService();
    const exp = now() + 3600;
    // As fullon_master_api's JWTHandler.generate_token wrote it (email may be None).
    for (const email of ['trader@example.com', null]) {
      const token = await new SignJWT({ sub: 'trader', user_id: 42, username: 'trader', email, exp }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret);
      await expect(service.verify(token)).resolves.toEqual({ kind: 'local', userId: 42, scopes: [], expiresAt: exp });
    }
  });

  it('still accepts a token it issued with the old aud claim', async () => {
    const service = await hsService();
    await expect(service.verify(await forge(claims(), { aud: 'fullon' }))).resolves.toMatchObject({ kind: 'local', userId: 7 });
  });

  it('gives every token its own jti', async () => {
    const service = await hsService();
    const a = decodeJwt((await service.issue({ uid: 1, mail: 'x@y.z', role: 'user' })).token);
    const b = decodeJwt((await service.issue({ uid: 1, mail: 'x@y.z', role: 'user' })).token);
    expect(a.jti).not.toBe(b.jti);
  });

  it('accepts a token expired by less than the 60 s clock skew', async () => {
    const service = await hsService();
    await expect(service.verify(await forge(claims(), { exp: now() - 30 }))).resolves.toMatchObject({ userId: 7 });
  });

  it.each<[string, () => Promise<string> | string]>([
    ['alg none', () => new UnsecuredJWT(claims()).setIssuer('fullon-master-api').setAudience('fullon').setIssuedAt().setExpirationTime('10m').encode()],
    ['a wrong signature', () => forge(claims(), { key: new TextEncoder().encode('another-secret-0123456789-0123456789-abc') })],
    ['a tampered payload', async () => {
      const [h, , s] = (await forge(claims())).split('.');
      return `${h}.${Buffer.from(JSON.stringify({ ...claims({ role: 'admin' }), iss: 'fullon-master-api', aud: 'fullon', exp: now() + 600 })).toString('base64url')}.${s}`;
    }],
    ['an expired token', () => forge(claims(), { exp: now() - 120 })],
    ['nbf in the future', () => forge(claims(), { nbf: now() + 3600 })],
    ['a wrong issuer', () => forge(claims(), { iss: 'someone-else' })],
    ['a wrong audience', () => forge(claims(), { aud: 'other-app' })],
    ['no exp', () => new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).setIssuer('fullon-master-api').setAudience('fullon').sign(secret)],
    ['no user_id', () => forge({ sub: 'a@example.com', email: 'a@example.com' })],
    ['a non-numeric user_id', () => forge(claims({ user_id: 'seven' }))],
    // fullon-format (no iss, no aud) bad inputs
    ['a fullon-format token with alg none', () => new UnsecuredJWT({ sub: 'a', user_id: 7, username: 'a', email: null }).setExpirationTime('10m').encode()],
    ['a fullon-format token signed HS512', () => new SignJWT({ sub: 'a', user_id: 7, username: 'a' }).setProtectedHeader({ alg: 'HS512' }).setExpirationTime('10m').sign(secret)],
    ['a fullon-format token without exp', () => new SignJWT({ sub: 'a', user_id: 7, username: 'a' }).setProtectedHeader({ alg: 'HS256' }).sign(secret)],
    ['a fullon-format token without user_id', () => new SignJWT({ sub: 'a', username: 'a' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m').sign(secret)],
    ['a fullon-format token with user_id 0', () => new SignJWT({ sub: 'a', user_id: 0 }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m').sign(secret)],
    ['a fullon-format token signed with another secret', () => new SignJWT({ sub: 'a', user_id: 7 }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m').sign(new TextEncoder().encode('another-secret-0123456789-0123456789-abc'))],
    ['HS512 (not in the allowlist)', () => new SignJWT(claims()).setProtectedHeader({ alg: 'HS512' }).setIssuer('fullon-master-api').setAudience('fullon').setExpirationTime('10m').sign(secret)],
    ['a 100 KB token', async () => forge(claims({ padding: 'x'.repeat(100 * 1024) }))],
    ['garbage base64', () => '%%%.@@@.!!!'],
    ['base64 that is not JSON', () => `${Buffer.from('not json').toString('base64url')}.${Buffer.from('nope').toString('base64url')}.abc`],
    ['two segments', () => 'abc.def'],
    ['an empty string', () => ''],
  ])('refuses %s with 401', async (_name, make) => {
    await expectInvalid(await hsService(), await make());
  });
});

describe.each(['ed25519', 'rsa', 'ec'] as const)('TokenService with an asymmetric %s key', (type) => {
  const algorithm = { ed25519: 'EdDSA', rsa: 'RS256', ec: 'ES256' }[type];

  async function asymmetric() {
    const files = writeKeyPair(type);
    const settings = testSettings({ JWT_ALGORITHM: algorithm, JWT_PRIVATE_KEY_FILE: files.privateFile, JWT_PUBLIC_KEY_FILE: files.publicFile });
    const keys = await loadSigningKeys(settings);
    return { service: new TokenService({ settings, keys }), keys, files };
  }

  it('issues tokens with a kid that verify against the published JWKS', async () => {
    const { service, keys } = await asymmetric();
    const issued = await service.issue({ uid: 3, mail: 'k@example.com', role: 'user' });
    const header = decodeProtectedHeader(issued.token);
    expect(header.alg).toBe(algorithm);
    expect(header.kid).toBe(keys.kid);
    expect(keys.jwks.keys).toHaveLength(1);
    expect(keys.jwks.keys[0]).toMatchObject({ kid: keys.kid, alg: algorithm, use: 'sig' });
    expect(keys.jwks.keys[0]).not.toHaveProperty('d');
    await expect(service.verify(issued.token)).resolves.toMatchObject({ userId: 3 });
  });

  it('refuses an HS256 token signed with the public key as HMAC secret (key confusion)', async () => {
    const { service, files, keys } = await asymmetric();
    const jwkText = JSON.stringify(await exportJWK(keys.verificationKey as Parameters<typeof exportJWK>[0]));
    for (const material of [files.publicPem, jwkText]) {
      const token = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'HS256', kid: keys.kid ?? undefined })
        .setIssuer('fullon-master-api')
        .setAudience('fullon')
        .setExpirationTime('10m')
        .sign(createSecretKey(Buffer.from(material)));
      await expectInvalid(service, token);
      const fullonFormat = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m').sign(createSecretKey(Buffer.from(material)));
      await expectInvalid(service, fullonFormat);
    }
  });

  it('still accepts a fullon-format token (no iss) signed HS256 with the shared JWT_SECRET_KEY', async () => {
    const { service } = await asymmetric();
    const token = await new SignJWT({ sub: 'a', user_id: 7, username: 'a', email: 'a@example.com' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m').sign(secret);
    await expect(service.verify(token)).resolves.toMatchObject({ kind: 'local', userId: 7 });
  });

  it('refuses an HS256 token signed with JWT_SECRET_KEY once a key pair is configured', async () => {
    const { service } = await asymmetric();
    await expectInvalid(service, await forge(claims()));
  });
});
