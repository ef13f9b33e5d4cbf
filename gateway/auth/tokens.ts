// Issues the gateway's own access tokens and verifies incoming ones: the
// gateway's own, fullon-format ones (HS256 with the shared JWT_SECRET_KEY, claims
// sub/user_id/username/email/exp, no iss/aud, as fullon_master_api minted them),
// and those of a configured external issuer (JWKS, iss/aud checked). Pure: no
// caching and no orm here; edge-auth.ts caches and takes role and active state
// of local tokens from the orm.
import { randomUUID } from 'node:crypto';
import { SignJWT, createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AuthError } from './errors.ts';
import type { AuthSettings, ExternalIssuer } from './settings.ts';
import type { SigningKeys } from './signing-keys.ts';
import type { AuthenticatedUser } from './types.ts';

/**
 * A verified token. `local` (the gateway's own or fullon-format) names its user by
 * id only: who that is, their role and whether they are still active is the orm's
 * answer. `external` issuers are trusted for the identity they assert.
 */
export type VerifiedToken =
  | { kind: 'local'; userId: number; scopes: string[]; expiresAt: number }
  | { kind: 'external'; user: AuthenticatedUser };

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
  /** Key for fullon-format tokens (no iss) when the gateway itself signs asymmetrically: the shared HS256 secret, if set. */
  readonly #fullonSecret: Uint8Array | null;

  constructor(options: TokenServiceOptions) {
    this.#settings = options.settings;
    this.#keys = options.keys;
    this.#fullonSecret = options.settings.secretKey ? new TextEncoder().encode(options.settings.secretKey) : null;
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

  /**
   * Claims per DESIGN.md: sub=mail, user_id, username, email, role, iat, exp, jti,
   * iss — and no aud: fullon's Python services decode with PyJWT without an
   * audience, and PyJWT refuses any token that carries one then (iss it ignores).
   */
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
      .sign(this.#keys.signingKey);
    return { token, expiresIn, expiresAt: now + expiresIn };
  }

  /** Verifies signature, algorithm allowlist, exp (required) and nbf with 60 s skew, iss/aud; throws AuthError INVALID_TOKEN. */
  async verify(token: string): Promise<VerifiedToken> {
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
        return { kind: 'external', user: userFromExternalClaims(payload) };
      }
      if (issuer !== undefined && issuer !== this.#settings.issuer) throw new AuthError('INVALID_TOKEN', { reason: 'unknown issuer' });
      // Our own tokens carry our iss; fullon-format ones none. With the default HS256
      // both are checked with the one shared secret; when the gateway signs
      // asymmetrically, fullon-format tokens still are HS256 with JWT_SECRET_KEY.
      const fullonFormat = issuer === undefined && this.#keys.algorithm !== 'HS256';
      const key = fullonFormat ? this.#fullonSecret : this.#keys.verificationKey;
      if (key === null) throw new AuthError('INVALID_TOKEN', { reason: 'no key for tokens without iss' });
      const { payload } = await jwtVerify(token, key, {
        algorithms: fullonFormat ? ['HS256'] : [this.#keys.algorithm],
        clockTolerance: this.#settings.clockSkewS,
        requiredClaims: ['exp', 'user_id'],
      });
      // Tokens we issued before aud was dropped carry ours; any other aud is not for us.
      if (payload.aud !== undefined && ![payload.aud].flat().includes(this.#settings.audience)) {
        throw new AuthError('INVALID_TOKEN', { reason: 'audience' });
      }
      return { kind: 'local', userId: readUserId(payload.user_id), scopes: readScopes(payload, false), expiresAt: payload.exp! };
    } catch (error) {
      if (error instanceof AuthError) throw error;
      throw new AuthError('INVALID_TOKEN', { reason: (error as { code?: string }).code ?? 'verification failed', cause: error });
    }
  }
}

function readUserId(raw: unknown): number {
  const userId = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(userId) || userId < 1) throw new AuthError('INVALID_TOKEN', { reason: 'bad user_id' });
  return userId;
}

function readScopes(payload: JWTPayload, external: boolean): string[] {
  if (Array.isArray(payload.scopes)) return payload.scopes.filter((s): s is string => typeof s === 'string');
  if (typeof payload.scope === 'string' && external) return payload.scope.split(' ').filter(Boolean);
  return [];
}

/**
 * External issuers must carry a numeric user_id (or numeric sub) and an email;
 * their role claim is honoured since the issuer is explicitly trusted in
 * JWT_EXTERNAL_ISSUERS.
 */
function userFromExternalClaims(payload: JWTPayload): AuthenticatedUser {
  const userId = readUserId(payload.user_id ?? payload.sub);
  const email = typeof payload.email === 'string' ? payload.email : '';
  if (email === '') throw new AuthError('INVALID_TOKEN', { reason: 'no email' });
  const role = payload.role === 'admin' ? 'admin' : payload.role === 'user' || payload.role === undefined ? 'user' : null;
  if (role === null) throw new AuthError('INVALID_TOKEN', { reason: 'bad role' });
  return { userId, email, name: email, role, scopes: readScopes(payload, true), authMethod: 'jwt', expiresAt: typeof payload.exp === 'number' ? payload.exp : null };
}
