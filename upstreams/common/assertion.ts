// Verification half of the gateway assertion (DESIGN.md "Headers the gateway
// sends upstream"): a short-lived HS256 JWT signed by the gateway. Upstreams take
// identity ONLY from its claims; the x-user-* headers are informational.
import { createHmac } from 'node:crypto';
import { jwtVerify, errors as joseErrors } from 'jose';

export const ASSERTION_HEADER = 'x-gateway-assertion';
export const ASSERTION_ISSUER = 'fullon-gateway';
/** Maximum lifetime the gateway may give an assertion; older ones are refused. */
export const ASSERTION_MAX_AGE_S = 60;

export type AuthMethod = 'jwt' | 'api_key' | 'gateway';

export interface Identity {
  userId: number;
  email: string;
  role: 'admin' | 'user';
  scopes: string[];
  /** `gateway` marks the gateway's own service calls (login, key checks, ownership). */
  authMethod: AuthMethod;
}

/**
 * The assertion key: GATEWAY_ASSERTION_SECRET when set, otherwise derived from
 * JWT_SECRET_KEY so a single configured secret is enough. The derivation is
 * one-way, so an upstream holding it cannot mint user tokens.
 */
export function resolveAssertionSecret(env: NodeJS.ProcessEnv = process.env): Uint8Array {
  const explicit = env.GATEWAY_ASSERTION_SECRET;
  if (explicit && explicit.length >= 32) return new TextEncoder().encode(explicit);
  // The fallback is public (it is in this file): fine on a developer's loopback,
  // never in production, where anyone could forge an assertion with it.
  if (!env.JWT_SECRET_KEY && env.NODE_ENV === 'production') {
    throw new Error('GATEWAY_ASSERTION_SECRET (at least 32 characters) or JWT_SECRET_KEY must be set when NODE_ENV=production');
  }
  const base = env.JWT_SECRET_KEY ?? 'dev-only-insecure-jwt-secret-change-me';
  // Hex text, not raw bytes: the supervisor hands children exactly this text as
  // GATEWAY_ASSERTION_SECRET, so a child derives the same key either way.
  return new TextEncoder().encode(createHmac('sha256', base).update('fullon-gateway-assertion-v1').digest('hex'));
}

export class AssertionError extends Error {}

export interface AssertionVerifierOptions {
  /** The upstream's own name; the assertion's `aud` must equal it. */
  audience: string;
  secret: Uint8Array;
}

/** Returns a verifier bound to one audience and key; throws AssertionError on anything invalid. */
export function createAssertionVerifier(options: AssertionVerifierOptions) {
  const { audience, secret } = options;
  return async function verifyAssertion(token: string | undefined): Promise<Identity> {
    if (!token || token.length > 8192) throw new AssertionError('missing gateway assertion');
    try {
      const { payload } = await jwtVerify(token, secret, {
        algorithms: ['HS256'],
        issuer: ASSERTION_ISSUER,
        audience,
        maxTokenAge: ASSERTION_MAX_AGE_S + 5,
        clockTolerance: 5,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const userId = Number(payload.sub);
      const role = payload.role;
      const method = payload.auth_method;
      if (!Number.isSafeInteger(userId) || userId < 0) throw new AssertionError('bad subject');
      if (role !== 'admin' && role !== 'user') throw new AssertionError('bad role');
      if (method !== 'jwt' && method !== 'api_key' && method !== 'gateway') throw new AssertionError('bad auth method');
      const scopes = Array.isArray(payload.scopes) ? payload.scopes.filter((s): s is string => typeof s === 'string') : [];
      return { userId, email: typeof payload.email === 'string' ? payload.email : '', role, scopes, authMethod: method };
    } catch (error) {
      if (error instanceof AssertionError) throw error;
      if (error instanceof joseErrors.JOSEError) throw new AssertionError(error.code);
      throw new AssertionError('invalid gateway assertion');
    }
  };
}
