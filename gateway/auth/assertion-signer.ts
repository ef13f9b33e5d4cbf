// Gateway half of the gateway assertion (DESIGN.md "Headers the gateway sends
// upstream"): signs the short-lived HS256 JWT upstreams verify with
// upstreams/common/assertion.ts, and reuses each one for half its life so the
// hot path does not sign per request.
import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import { BoundedCache } from './bounded-cache.ts';
import { DEV_FALLBACK_SECRET } from './settings.ts';

export const ASSERTION_HEADER = 'x-gateway-assertion';
export const ASSERTION_ISSUER = 'fullon-gateway';
export const ASSERTION_DEFAULTS = {
  /** Lifetime of a signed assertion (the contract caps it at 60 s). */
  lifetimeS: 60,
  /** Reuse an assertion until this much of its life has passed. */
  reuseFraction: 0.5,
  cacheMax: 10_000,
} as const;

/** The gateway's own identity for service calls (login, key checks, ownership). */
export const GATEWAY_SERVICE_IDENTITY: AssertionIdentity = {
  userId: 0,
  email: 'gateway@internal',
  role: 'admin',
  scopes: [],
  authMethod: 'gateway',
};

export interface AssertionIdentity {
  userId: number;
  email: string;
  role: 'admin' | 'user';
  scopes: string[];
  authMethod: 'jwt' | 'api_key' | 'gateway';
}

/**
 * Same derivation as upstreams/common/assertion.ts resolveAssertionSecret (the
 * gateway may not import upstream code): GATEWAY_ASSERTION_SECRET when ≥ 32
 * characters, else the hex text of HMAC-SHA256(JWT_SECRET_KEY, "fullon-gateway-assertion-v1")
 * — the same text the supervisor passes children as GATEWAY_ASSERTION_SECRET.
 * tests/unit/gateway/auth/assertion-secret.test.ts pins that both agree.
 */
export function resolveGatewayAssertionSecret(env: NodeJS.ProcessEnv = process.env): Uint8Array {
  const explicit = env.GATEWAY_ASSERTION_SECRET;
  if (explicit && explicit.length >= 32) return new TextEncoder().encode(explicit);
  const base = env.JWT_SECRET_KEY ?? DEV_FALLBACK_SECRET;
  return new TextEncoder().encode(createHmac('sha256', base).update('fullon-gateway-assertion-v1').digest('hex'));
}

export interface SignedAssertion {
  token: string;
  /** Epoch ms until which the token may be reused (half its life). */
  reuseUntil: number;
}

export interface AssertionSignerOptions {
  secret: Uint8Array;
  lifetimeS?: number;
  now?: () => number;
}

export class AssertionSigner {
  readonly #secret: Uint8Array;
  readonly #lifetimeS: number;
  readonly #now: () => number;
  readonly #cache: BoundedCache<string, Promise<SignedAssertion>>;

  constructor(options: AssertionSignerOptions) {
    this.#secret = options.secret;
    this.#lifetimeS = options.lifetimeS ?? ASSERTION_DEFAULTS.lifetimeS;
    if (this.#lifetimeS < 2 || this.#lifetimeS > 60) throw new RangeError('assertion lifetime must be 2..60 s');
    this.#now = options.now ?? Date.now;
    this.#cache = new BoundedCache({ max: ASSERTION_DEFAULTS.cacheMax, now: this.#now });
  }

  /** Ms an assertion signed now stays in the cache (half its life). */
  get reuseMs(): number {
    return Math.floor(this.#lifetimeS * 1000 * ASSERTION_DEFAULTS.reuseFraction);
  }

  /** A valid assertion for identity at upstream: cached, or freshly signed. */
  async sign(identity: AssertionIdentity, upstream: string): Promise<string> {
    return (await this.signReusable(identity, upstream)).token;
  }

  /** Like sign(), plus until when the token may be reused (callers caching it must stop then). */
  signReusable(identity: AssertionIdentity, upstream: string): Promise<SignedAssertion> {
    const key = `${upstream}\n${identity.authMethod}\n${identity.userId}\n${identity.role}\n${identity.email}\n${identity.scopes.join(' ')}`;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const nowMs = this.#now();
    const reuseUntil = nowMs + this.reuseMs;
    const pending = this.#signNow(identity, upstream, Math.floor(nowMs / 1000)).then((token) => ({ token, reuseUntil }));
    this.#cache.set(key, pending, reuseUntil);
    pending.catch(() => this.#cache.delete(key));
    return pending;
  }

  #signNow(identity: AssertionIdentity, upstream: string, iat: number): Promise<string> {
    return new SignJWT({ email: identity.email, role: identity.role, scopes: identity.scopes, auth_method: identity.authMethod })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(String(identity.userId))
      .setIssuer(ASSERTION_ISSUER)
      .setAudience(upstream)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.#lifetimeS)
      .sign(this.#secret);
  }
}
