// Issues the gateway's own access tokens and verifies incoming ones (own or from
// a configured external issuer). Pure: no caching here; edge-auth.ts caches.
import { randomUUID } from 'node:crypto';
import { SignJWT, createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AuthError } from './errors.ts';
import type { AuthSettings, ExternalIssuer } from './settings.ts';
import type { SigningKeys } from './signing-keys.ts';
import type { AuthenticatedUser } from './types.ts';

export interface TokenSubject {
  uid: number;
  mail: string;
  role: 'admin' | 'user';
}

export interface IssuedToken {
  token: string;
  /** Seconds until exp, for the login response's expires_in. */
  expiresIn: number;
  /** exp, epoch seconds. */
  expiresAt: number;
}

/** A compact JWS is three base64url parts; anything else is refused before any decoding. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export interface RemoteJwksOptions {
  cooldownMs: number;
  cacheMaxAgeMs: number;
  timeoutMs: number;
}

export const REMOTE_JWKS_DEFAULTS: RemoteJwksOptions = {
  /** Refetch on an unknown kid at most this often (jose's cooldown). */
  cooldownMs: 30_000,
  cacheMaxAgeMs: 10 * 60_000,
  timeoutMs: 5_000,
};

export interface TokenServiceOptions {
  settings: AuthSettings;
  keys: SigningKeys;
  /** Overrides for the remote JWKS fetcher (tests shorten the cooldown). */
  remoteJwks?: Partial<RemoteJwksOptions>;
}

export class TokenService {
  readonly #settings: AuthSettings;
  readonly #keys: SigningKeys;
  readonly #external = new Map<string, { issuer: ExternalIssuer; getKey: JWTVerifyGetKey }>();

  constructor(options: TokenServiceOptions) {
    this.#settings = options.settings;
    this.#keys = options.keys;
    const remote = { ...REMOTE_JWKS_DEFAULTS, ...options.remoteJwks };
    for (const issuer of options.settings.externalIssuers) {
      if (issuer.issuer === options.settings.issuer) throw new Error(`external issuer ${issuer.issuer} collides with JWT_ISSUER`);
      const getKey = createRemoteJWKSet(issuer.jwksUrl, {
        cooldownDuration: remote.cooldownMs,
        cacheMaxAge: remote.cacheMaxAgeMs,
        timeoutDuration: remote.timeoutMs,
      });
      this.#external.set(issuer.issuer, { issuer, getKey });
    }
  }

  /** Claims exactly per DESIGN.md: sub=mail, user_id, username, email, role, iat, exp, jti, iss, aud. */
  async issue(subject: TokenSubject): Promise<IssuedToken> {
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = this.#settings.expirationMinutes * 60;
    const header = this.#keys.kid ? { alg: this.#keys.algorithm, typ: 'JWT', kid: this.#keys.kid } : { alg: this.#keys.algorithm, typ: 'JWT' };
    const token = await new SignJWT({ user_id: subject.uid, username: subject.mail, email: subject.mail, role: subject.role })
      .setProtectedHeader(header)
      .setSubject(subject.mail)
      .setIssuedAt(now)
      .setExpirationTime(now + expiresIn)
      .setJti(randomUUID())
      .setIssuer(this.#settings.issuer)
      .setAudience(this.#settings.audience)
      .sign(this.#keys.signingKey);
    return { token, expiresIn, expiresAt: now + expiresIn };
  }

  /** Verifies signature, algorithm, iss, aud, exp/nbf (60 s skew); throws AuthError INVALID_TOKEN. */
  async verify(token: string): Promise<AuthenticatedUser> {
    if (token.length === 0 || token.length > this.#settings.maxTokenLength || !COMPACT_JWS.test(token)) {
      throw new AuthError('INVALID_TOKEN', { reason: 'malformed' });
    }
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch (error) {
      throw new AuthError('INVALID_TOKEN', { reason: 'undecodable', cause: error });
    }
    const external = typeof issuer === 'string' ? this.#external.get(issuer) : undefined;
    try {
      if (external) {
        const { payload } = await jwtVerify(token, external.getKey, {
          algorithms: external.issuer.algorithms,
          issuer: external.issuer.issuer,
          audience: external.issuer.audience,
          clockTolerance: this.#settings.clockSkewS,
          requiredClaims: ['exp'],
        });
        return userFromClaims(payload, true);
      }
      const { payload } = await jwtVerify(token, this.#keys.verificationKey, {
        algorithms: [this.#keys.algorithm],
        issuer: this.#settings.issuer,
        audience: this.#settings.audience,
        clockTolerance: this.#settings.clockSkewS,
        requiredClaims: ['exp', 'sub', 'user_id'],
      });
      return userFromClaims(payload, false);
    } catch (error) {
      if (error instanceof AuthError) throw error;
      throw new AuthError('INVALID_TOKEN', { reason: (error as { code?: string }).code ?? 'verification failed', cause: error });
    }
  }
}

/**
 * Our tokens carry user_id/email/role. External issuers must carry a numeric
 * user_id (or numeric sub) and an email; their role claim is honoured since the
 * issuer is explicitly trusted in JWT_EXTERNAL_ISSUERS.
 */
function userFromClaims(payload: JWTPayload, external: boolean): AuthenticatedUser {
  const rawId = payload.user_id ?? (external ? payload.sub : undefined);
  const userId = typeof rawId === 'number' ? rawId : typeof rawId === 'string' && /^\d{1,15}$/.test(rawId) ? Number(rawId) : NaN;
  if (!Number.isSafeInteger(userId) || userId < 1) throw new AuthError('INVALID_TOKEN', { reason: 'bad user_id' });
  const email = typeof payload.email === 'string' ? payload.email : typeof payload.sub === 'string' && !external ? payload.sub : '';
  if (email === '') throw new AuthError('INVALID_TOKEN', { reason: 'no email' });
  const role = payload.role === 'admin' ? 'admin' : payload.role === 'user' || payload.role === undefined ? 'user' : null;
  if (role === null) throw new AuthError('INVALID_TOKEN', { reason: 'bad role' });
  const scopes = Array.isArray(payload.scopes)
    ? payload.scopes.filter((s): s is string => typeof s === 'string')
    : typeof payload.scope === 'string' && external
      ? payload.scope.split(' ').filter(Boolean)
      : [];
  return { userId, email, name: email, role, scopes, authMethod: 'jwt', expiresAt: typeof payload.exp === 'number' ? payload.exp : null };
}
