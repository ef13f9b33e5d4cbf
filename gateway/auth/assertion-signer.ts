// Gateway half of the gateway assertion (DESIGN.md "Headers the gateway sends
// upstream", docs/threat-model.md): signs the short-lived EdDSA (Ed25519) JWT
// upstreams verify with the public key only (upstreams/common/assertion.ts), and
// reuses each one for half its life so the hot path does not sign per request.
import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { BoundedCache } from './bounded-cache.ts';

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
 * Claims of the assertion the gateway sends for an `auth: public` route: nobody
 * signed in (no user id, mail or role). Upstreams let it reach only endpoints that
 * declare anonymous callers welcome (upstreams/common/server.ts), answering 401
 * everywhere else, so a public route cannot widen what an upstream exposes.
 */
export const ANONYMOUS_AUTH_METHOD = 'anonymous';
export const ANONYMOUS_SUBJECT = 'anonymous';

export interface SignedAssertion {
  token: string;
  /** Epoch ms until which the token may be reused (half its life). */
  reuseUntil: number;
}

export interface AssertionSignerOptions {
  /** The gateway's Ed25519 private key (assertion-key.ts) and its kid (RFC 7638 thumbprint). */
  key: KeyObject;
  kid: string;
  lifetimeS?: number;
  now?: () => number;
}

export class AssertionSigner {
  readonly #key: KeyObject;
  readonly #kid: string;
  readonly #lifetimeS: number;
  readonly #now: () => number;
  readonly #cache: BoundedCache<string, Promise<SignedAssertion>>;

  constructor(options: AssertionSignerOptions) {
    this.#key = options.key;
    this.#kid = options.kid;
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

  /** The anonymous assertion for upstream (public routes): cached like the others. */
  signAnonymous(upstream: string): Promise<SignedAssertion> {
    const key = `${upstream}\n${ANONYMOUS_AUTH_METHOD}`;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const nowMs = this.#now();
    const reuseUntil = nowMs + this.reuseMs;
    const iat = Math.floor(nowMs / 1000);
    const pending = this.#jwt({ auth_method: ANONYMOUS_AUTH_METHOD }, ANONYMOUS_SUBJECT, upstream, iat).then((token) => ({ token, reuseUntil }));
    this.#cache.set(key, pending, reuseUntil);
    pending.catch(() => this.#cache.delete(key));
    return pending;
  }

  #signNow(identity: AssertionIdentity, upstream: string, iat: number): Promise<string> {
    const claims = { email: identity.email, role: identity.role, scopes: identity.scopes, auth_method: identity.authMethod };
    return this.#jwt(claims, String(identity.userId), upstream, iat);
  }

  #jwt(claims: Record<string, unknown>, subject: string, upstream: string, iat: number): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: this.#kid, typ: 'JWT' })
      .setSubject(subject)
      .setIssuer(ASSERTION_ISSUER)
      .setAudience(upstream)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.#lifetimeS)
      .sign(this.#key);
  }
}
