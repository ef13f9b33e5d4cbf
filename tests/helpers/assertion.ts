// Test-side gateway assertion key: an Ed25519 pair made once per test process.
// Upstreams under test get only its public JWKS (TEST_ASSERTION_ENV), as the
// supervisor hands it to children; tests sign with the private half the way the
// gateway would (the gateway's own signer lives in gateway/auth/).
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

export interface TestIdentity {
  userId: number;
  email?: string;
  role?: 'admin' | 'user';
  scopes?: string[];
  authMethod?: 'jwt' | 'api_key' | 'gateway';
}

export interface TestKey {
  privateKey: KeyObject;
  kid: string;
}

/** A fresh Ed25519 key with its public JWK (kid as given). */
export function makeTestKey(kid: string): TestKey & { jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string; kid: string } } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const { x } = createPublicKey(privateKey).export({ format: 'jwk' }) as { x: string };
  return { privateKey, kid, jwk: { kty: 'OKP', crv: 'Ed25519', x, kid } };
}

const gatewayKey = makeTestKey('test-gateway-key');

/** The gateway key tests sign with (gateway-side tests pass it as assertionKey). */
export const TEST_ASSERTION_KEY: TestKey = { privateKey: gatewayKey.privateKey, kid: gatewayKey.kid };
export const TEST_ASSERTION_JWKS = JSON.stringify({ keys: [gatewayKey.jwk] });
/** What an upstream under test needs in its env to verify the test gateway: public keys only. */
export const TEST_ASSERTION_ENV: Record<string, string> = { GATEWAY_ASSERTION_JWKS: TEST_ASSERTION_JWKS };

export async function signTestAssertion(audience: string, identity: TestIdentity, key: TestKey = TEST_ASSERTION_KEY): Promise<string> {
  return new SignJWT({
    email: identity.email ?? `user${identity.userId}@example.com`,
    role: identity.role ?? 'user',
    scopes: identity.scopes ?? [],
    auth_method: identity.authMethod ?? 'jwt',
  })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid })
    .setSubject(String(identity.userId))
    .setIssuer('fullon-gateway')
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('60s')
    .sign(key.privateKey);
}

/** A service's own identity as the supervisor would make it: its env (private key) and the JWKS a callee trusts it by. */
export function makeServiceIdentity(name: string): { env: Record<string, string>; jwks: string; key: TestKey } {
  const key = makeTestKey(name);
  return {
    env: { SERVICE_NAME: name, SERVICE_ASSERTION_PRIVATE_KEY: key.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string },
    jwks: JSON.stringify({ keys: [key.jwk] }),
    key: { privateKey: key.privateKey, kid: key.kid },
  };
}

/** AssertionSigner options for the test gateway key (gateway/auth/assertion-signer.ts). */
export const TEST_SIGNER_OPTIONS = { key: TEST_ASSERTION_KEY.privateKey, kid: TEST_ASSERTION_KEY.kid };

/** The anonymous assertion the gateway sends on an `auth: public` route (no user claims). */
export async function signTestAnonymousAssertion(audience: string, key: TestKey = TEST_ASSERTION_KEY, subject = 'anonymous'): Promise<string> {
  return new SignJWT({ auth_method: 'anonymous' })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid })
    .setSubject(subject)
    .setIssuer('fullon-gateway')
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('60s')
    .sign(key.privateKey);
}
