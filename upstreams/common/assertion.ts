// Verification half of the assertions upstreams accept (DESIGN.md "Headers the
// gateway sends upstream", docs/threat-model.md). Two kinds, both short-lived
// EdDSA (Ed25519) JWTs, both checked against PUBLIC keys only:
// - iss "fullon-gateway": signed by the gateway for a user (or its own service
//   calls); identity is taken only from its claims, never from x-user-* headers;
// - iss "fullon-service": signed by another supervised service (the cache asking
//   the orm for ownership, a collector reading its follow list) with its own key,
//   kid = its name. Such a caller is never a user: its identity is fixed here,
//   whatever the claims say, and createUpstreamApp lets it reach only the routes
//   granted to it (service-grants.ts).
// - iss "fullon-gateway" with auth_method "anonymous" (subject "anonymous", no
//   user claims): the gateway's call on an `auth: public` route. It names nobody;
//   createUpstreamApp lets it reach only routes declared anonymous-friendly.
// An upstream's environment therefore holds nothing that can mint a gateway
// assertion, and a compromised upstream cannot impersonate a user elsewhere.
import { decodeJwt, decodeProtectedHeader, jwtVerify, errors as joseErrors } from 'jose';
import type { AssertionKeys } from './assertion-keys.ts';

export const ASSERTION_HEADER = 'x-gateway-assertion';
export const ASSERTION_ISSUER = 'fullon-gateway';
export const SERVICE_ASSERTION_ISSUER = 'fullon-service';
export const ASSERTION_ALGORITHM = 'EdDSA';
/** Maximum lifetime the gateway may give an assertion; older ones are refused. */
export const ASSERTION_MAX_AGE_S = 60;

/** auth_method (and subject) of the gateway's anonymous assertion (public routes). */
export const ANONYMOUS_AUTH_METHOD = 'anonymous';
const ANONYMOUS_SUBJECT = 'anonymous';

export type AuthMethod = 'jwt' | 'api_key' | 'gateway' | 'service';

export interface Identity {
  userId: number;
  email: string;
  role: 'admin' | 'user';
  scopes: string[];
  /** `gateway` marks the gateway's own service calls (login, key checks); `service` another service's call. */
  authMethod: AuthMethod;
  /** The calling service's name (authMethod "service" only), from the key that verified the call. */
  service?: string;
}

export class AssertionError extends Error {}

export interface AssertionVerifierOptions {
  /** The upstream's own name; the assertion's `aud` must equal it. */
  audience: string;
  keys: AssertionKeys;
}

/**
 * Returns a verifier bound to one audience and key sets that accepts only assertions
 * naming a user or service; throws AssertionError on anything invalid, anonymous included.
 */
export function createAssertionVerifier(options: AssertionVerifierOptions) {
  const verifyCaller = createCallerVerifier(options);
  return async function verifyAssertion(token: string | undefined): Promise<Identity> {
    const identity = await verifyCaller(token);
    if (identity === null) throw new AssertionError('anonymous assertion');
    return identity;
  };
}

/**
 * Like createAssertionVerifier, but a valid anonymous gateway assertion resolves to
 * null (nobody signed in) instead of failing: the caller decides where that may go.
 */
export function createCallerVerifier(options: AssertionVerifierOptions) {
  const { audience, keys } = options;
  return async function verifyCaller(token: string | undefined): Promise<Identity | null> {
    if (!token || token.length > 8192) throw new AssertionError('missing gateway assertion');
    try {
      // Read unverified only to pick the key set; the signature check below decides.
      const header = decodeProtectedHeader(token);
      const issuer = decodeJwt(token).iss;
      if (header.alg !== ASSERTION_ALGORITHM || typeof header.kid !== 'string') throw new AssertionError('bad header');
      const isService = issuer === SERVICE_ASSERTION_ISSUER;
      if (!isService && issuer !== ASSERTION_ISSUER) throw new AssertionError('bad issuer');
      const key = (isService ? keys.services : keys.gateway).get(header.kid);
      if (!key) throw new AssertionError('unknown key');
      const { payload } = await jwtVerify(token, key, {
        algorithms: [ASSERTION_ALGORITHM],
        issuer,
        audience,
        maxTokenAge: ASSERTION_MAX_AGE_S + 5,
        clockTolerance: 5,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      if (isService) {
        // The key names the caller; a token whose subject says otherwise is not trusted.
        if (payload.sub !== header.kid) throw new AssertionError('subject is not the signing service');
        return { userId: 0, email: `${header.kid}@services.internal`, role: 'admin', scopes: [], authMethod: 'service', service: header.kid };
      }
      if (payload.auth_method === ANONYMOUS_AUTH_METHOD) {
        if (payload.sub !== ANONYMOUS_SUBJECT) throw new AssertionError('anonymous assertion with a subject');
        return null;
      }
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
