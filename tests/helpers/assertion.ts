// Test-side signer of gateway assertions, for calling an upstream directly the way
// the gateway would (the gateway's own signer lives in gateway/auth/).
import { SignJWT } from 'jose';

export const TEST_ASSERTION_SECRET = 'test-assertion-secret-0123456789abcdef';

export interface TestIdentity {
  userId: number;
  email?: string;
  role?: 'admin' | 'user';
  scopes?: string[];
  authMethod?: 'jwt' | 'api_key' | 'gateway';
}

export async function signTestAssertion(audience: string, identity: TestIdentity, secret = TEST_ASSERTION_SECRET): Promise<string> {
  return new SignJWT({
    email: identity.email ?? `user${identity.userId}@example.com`,
    role: identity.role ?? 'user',
    scopes: identity.scopes ?? [],
    auth_method: identity.authMethod ?? 'jwt',
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(String(identity.userId))
    .setIssuer('fullon-gateway')
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('60s')
    .sign(new TextEncoder().encode(secret));
}
