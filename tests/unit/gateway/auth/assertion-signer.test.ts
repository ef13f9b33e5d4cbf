import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { AssertionSigner, GATEWAY_SERVICE_IDENTITY } from '../../../../gateway/auth/assertion-signer.ts';
import { createAssertionVerifier } from '../../../../upstreams/common/assertion.ts';
import { loadAssertionKeys } from '../../../../upstreams/common/assertion-keys.ts';
import { TEST_ASSERTION_ENV, TEST_SIGNER_OPTIONS } from '../../../helpers/assertion.ts';

const keys = loadAssertionKeys(TEST_ASSERTION_ENV);
const identity = { userId: 12, email: 'a@example.com', role: 'user' as const, scopes: ['ohlcv:write'], authMethod: 'jwt' as const };

describe('AssertionSigner', () => {
  it('signs EdDSA (kid = the key\'s thumbprint) with iss fullon-gateway, aud = upstream, exp ≤ 60 s and the identity claims', async () => {
    const token = await new AssertionSigner(TEST_SIGNER_OPTIONS).sign(identity, 'ohlcv');
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', kid: TEST_SIGNER_OPTIONS.kid });
    const payload = decodeJwt(token);
    expect(payload).toMatchObject({ iss: 'fullon-gateway', aud: 'ohlcv', sub: '12', email: 'a@example.com', role: 'user', scopes: ['ohlcv:write'], auth_method: 'jwt' });
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(60);
  });

  it('signs the service identity the orm internal endpoints require', async () => {
    const token = await new AssertionSigner(TEST_SIGNER_OPTIONS).sign(GATEWAY_SERVICE_IDENTITY, 'orm');
    await expect(createAssertionVerifier({ audience: 'orm', keys })(token)).resolves.toEqual({ userId: 0, email: 'gateway@internal', role: 'admin', scopes: [], authMethod: 'gateway' });
  });

  it('reuses an assertion for half its life, then signs a new one', async () => {
    let clock = 1_700_000_000_000;
    const signer = new AssertionSigner({ ...TEST_SIGNER_OPTIONS, now: () => clock });
    const first = await signer.sign(identity, 'orm');
    clock += 29_000;
    expect(await signer.sign(identity, 'orm')).toBe(first);
    clock += 1_001;
    const renewed = await signer.sign(identity, 'orm');
    expect(renewed).not.toBe(first);
    expect(decodeJwt(renewed).iat).toBeGreaterThan(decodeJwt(first).iat!);
  });

  it.each([
    ['another upstream', { ...identity }, 'cache'],
    ['other scopes', { ...identity, scopes: [] }, 'orm'],
    ['another role', { ...identity, role: 'admin' as const }, 'orm'],
    ['another auth method', { ...identity, authMethod: 'api_key' as const }, 'orm'],
  ])('does not reuse an assertion across %s', async (_name, other, upstream) => {
    const signer = new AssertionSigner(TEST_SIGNER_OPTIONS);
    const first = await signer.sign(identity, 'orm');
    expect(await signer.sign(other, upstream)).not.toBe(first);
  });

  it('refuses a lifetime over 60 s', () => {
    expect(() => new AssertionSigner({ ...TEST_SIGNER_OPTIONS, lifetimeS: 120 })).toThrow(RangeError);
  });
});
