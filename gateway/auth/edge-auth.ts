// The gateway's EdgeAuth: decides once per request who is asking (anonymous, a
// user, or rejected) and builds the identity headers upstreams trust. The hot
// path is two cache lookups: verified tokens (a local token's user as the orm
// described them, for at most the user TTL; external ones until exp), assertions
// for half their life. Revocation events (invalidation.ts) drop entries at once.
import { createHash, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { UpstreamRegistry } from '../registry/upstream-registry.ts';
import { ApiKeyAuth } from './api-key-auth.ts';
import { generateAssertionKey, publicJwkOf } from './assertion-key.ts';
import { ASSERTION_HEADER, AssertionSigner } from './assertion-signer.ts';
import { BoundedCache } from './bounded-cache.ts';
import { extractCredential } from './credentials.ts';
import { AuthError } from './errors.ts';
import type { Invalidation } from './invalidation.ts';
import { OrmAuthClient } from './orm-client.ts';
import type { AuthSettings } from './settings.ts';
import { loadSigningKeys, type SigningKeys } from './signing-keys.ts';
import { TokenService, type RemoteJwksOptions } from './tokens.ts';
import type { AuthenticatedUser, AuthOutcome, EdgeAuth } from './types.ts';
import { UserDirectory } from './user-directory.ts';

export interface EdgeAuthLogger {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface EdgeAuthOptions {
  settings: AuthSettings;
  registry: UpstreamRegistry;
  /** The assertion key pair's private half and kid (assertion-key.ts; main.ts hands its public JWKS to the supervisor); default: a fresh key. */
  assertionKey?: { privateKey: KeyObject; kid: string };
  env?: NodeJS.ProcessEnv;
  logger?: EdgeAuthLogger;
  now?: () => number;
  remoteJwks?: Partial<RemoteJwksOptions>;
}

/** Tokens up to this length are cache keys as they are; longer ones by their SHA-256. */
const TOKEN_KEY_MAX = 1024;
/**
 * A hot local token's user is re-read from the orm in the background once less
 * than this share of the user TTL is left, so under load no request waits for
 * the orm when the cached answer runs out (every request arriving during that
 * round trip used to: the gateway+JWT row's p99, issue 14 item 3). The TTL
 * contract is unchanged: nothing is trusted longer than the TTL after the orm said it.
 */
const REFRESH_AHEAD_SHARE = 0.4;

interface HeaderEntry {
  headers: Record<string, string>;
  refreshAt: number;
}

export class GatewayEdgeAuth implements EdgeAuth {
  readonly settings: AuthSettings;
  readonly keys: SigningKeys;
  readonly tokens: TokenService;
  readonly signer: AssertionSigner;
  readonly orm: OrmAuthClient;
  readonly apiKeys: ApiKeyAuth;
  readonly users: UserDirectory;
  readonly #now: () => number;
  readonly #logger: EdgeAuthLogger | null;
  readonly #verified: BoundedCache<string, AuthenticatedUser>;
  /** Users built from an orm answer (local tokens): the ones refresh-ahead re-reads. */
  readonly #fromOrm = new WeakSet<AuthenticatedUser>();
  /** Cache keys with a refresh in flight (one per token). */
  readonly #refreshing = new Map<string, Promise<void>>();
  /**
   * Verifications in flight, by cache key: requests that arrive together with a
   * token not (or no longer) cached share one, like nginx's proxy_cache_lock. A
   * bot resuming after more than the user TTL with a few hundred requests at
   * once used to verify the token, read its user and sign its headers a few
   * hundred times: tens of ms of CPU in front of all of them.
   */
  readonly #verifying = new Map<string, Promise<AuthenticatedUser>>();
  /** Bumped on every revocation, so a verification already in flight then is neither shared nor cached. */
  #epoch = 0;
  readonly #headers = new WeakMap<AuthenticatedUser, Map<string, HeaderEntry>>();
  /** The anonymous assertion header per upstream (public routes). */
  readonly #anonymous = new Map<string, HeaderEntry>();

  constructor(options: EdgeAuthOptions & { keys: SigningKeys }) {
    const { settings } = options;
    this.settings = settings;
    this.keys = options.keys;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? null;
    this.tokens = new TokenService({ settings, keys: options.keys, remoteJwks: options.remoteJwks });
    const assertionKey = options.assertionKey ?? freshAssertionKey();
    this.signer = new AssertionSigner({ key: assertionKey.privateKey, kid: assertionKey.kid, now: this.#now });
    this.orm = new OrmAuthClient({ registry: options.registry, upstream: settings.authUpstream, signer: this.signer, timeoutMs: settings.ormTimeoutMs });
    this.apiKeys = new ApiKeyAuth({
      orm: this.orm,
      ttlMs: settings.apiKeyCacheTtlMs,
      negativeTtlMs: settings.apiKeyNegativeTtlMs,
      max: settings.apiKeyCacheMax,
      now: this.#now,
    });
    // A token's user is re-read from the orm as often as a key is (≤ 5 s by contract).
    this.users = new UserDirectory({
      orm: this.orm,
      ttlMs: settings.apiKeyCacheTtlMs,
      negativeTtlMs: settings.apiKeyNegativeTtlMs,
      max: settings.apiKeyCacheMax,
      now: this.#now,
    });
    this.#verified = new BoundedCache({ max: settings.tokenCacheMax, now: this.#now });
  }

  async authenticate(req: IncomingMessage, url: URL, isUpgrade: boolean): Promise<AuthOutcome> {
    try {
      const credential = extractCredential(req, url, isUpgrade);
      switch (credential.kind) {
        case 'none':
          return { kind: 'anonymous' };
        case 'invalid':
          return reject(new AuthError(credential.code));
        case 'bearer':
          return { kind: 'user', user: await this.verifyToken(credential.token) };
        case 'api_key':
          return { kind: 'user', user: await this.apiKeys.authenticate(credential.key) };
      }
    } catch (error) {
      if (error instanceof AuthError) {
        if (error.status === 503) this.#logger?.warn({ code: error.code, reason: error.message }, 'auth upstream unavailable');
        return reject(error);
      }
      // A bug here must not become a 500 nor let the request through.
      this.#logger?.error({ err: error }, 'unexpected error while authenticating');
      return reject(new AuthError('INVALID_TOKEN'));
    }
  }

  authenticateNow(req: IncomingMessage, url: URL, isUpgrade: boolean): AuthOutcome | null {
    let credential: ReturnType<typeof extractCredential>;
    try {
      credential = extractCredential(req, url, isUpgrade);
    } catch (error) {
      // Ambiguous credentials are refused as authenticate() refuses them; anything else is its to log.
      return error instanceof AuthError && error.status !== 503 ? reject(error) : null;
    }
    switch (credential.kind) {
      case 'none':
        return { kind: 'anonymous' };
      case 'invalid':
        return reject(new AuthError(credential.code));
      case 'bearer': {
        const user = this.#cachedTokenUser(credential.token);
        return user === undefined ? null : { kind: 'user', user };
      }
      case 'api_key': {
        const checked = this.apiKeys.cached(credential.key);
        if (checked === undefined) return null;
        return 'error' in checked ? reject(checked.error) : { kind: 'user', user: checked.user };
      }
    }
  }

  /** A token verified before, still trusted (and refreshed ahead when hot); undefined: verify it. */
  #cachedTokenUser(token: string): AuthenticatedUser | undefined {
    const key = tokenKey(token);
    const entry = this.#verified.getEntry(key);
    if (entry === undefined) return undefined;
    this.#refreshAhead(key, entry);
    return entry.value;
  }

  /**
   * A verified token's user. Local tokens (ours, fullon-format) name a user_id whose
   * mail, role and active state come from the orm; cached until the token expires
   * or the user TTL passes, whichever is first, so a deactivated user's tokens stop
   * working within that TTL even when cached — at once on a revocation event.
   */
  async verifyToken(token: string): Promise<AuthenticatedUser> {
    const cached = this.#cachedTokenUser(token);
    if (cached !== undefined) return cached;
    const key = tokenKey(token);
    let pending = this.#verifying.get(key);
    if (pending === undefined) {
      const started = (pending = this.#verifyUncached(token, key).finally(() => {
        if (this.#verifying.get(key) === started) this.#verifying.delete(key);
      }));
      this.#verifying.set(key, pending);
    }
    return pending;
  }

  async #verifyUncached(token: string, key: string): Promise<AuthenticatedUser> {
    const epoch = this.#epoch;
    const verified = await this.tokens.verify(token);
    if (verified.kind === 'external') {
      const { user } = verified;
      if (user.expiresAt !== null && this.#epoch === epoch) this.#verified.set(key, user, user.expiresAt * 1000);
      return user;
    }
    const trustUntil = this.users.trustUntil();
    const owner = await this.users.activeUser(verified.userId);
    const user: AuthenticatedUser = {
      userId: owner.uid,
      email: owner.mail,
      name: owner.name,
      role: owner.role,
      scopes: verified.scopes,
      authMethod: 'jwt',
      expiresAt: verified.expiresAt,
    };
    this.#fromOrm.add(user);
    // Revoked meanwhile: this answer is the callers' (it was true when asked), not the cache's.
    if (this.#epoch === epoch) this.#verified.set(key, user, Math.min(verified.expiresAt * 1000, trustUntil));
    return user;
  }

  /** Starts a background re-read of a cached local token's user when its trust is running out (REFRESH_AHEAD_SHARE). */
  #refreshAhead(key: string, entry: { readonly value: AuthenticatedUser; readonly expiresAt: number }): void {
    // Not soon enough to bother (almost every request: checked first), or runs out with
    // the token itself (no refresh can extend that).
    if (entry.expiresAt - this.#now() > this.settings.apiKeyCacheTtlMs * REFRESH_AHEAD_SHARE) return;
    const user = entry.value;
    const tokenExpiry = (user.expiresAt ?? 0) * 1000;
    if (entry.expiresAt >= tokenExpiry || !this.#fromOrm.has(user) || this.#refreshing.has(key)) return;
    const trustUntil = this.users.trustUntil();
    const refreshed = this.users.refresh(user.userId).then(
      (owner) => {
        // Revoked meanwhile (invalidate() dropped the entry): do not put it back.
        if (this.#verified.peek(key)?.value !== user) return;
        const same = owner.mail === user.email && owner.name === user.name && owner.role === user.role;
        // The same object when nothing changed, so its cached identity headers stay valid (no re-signing).
        const next: AuthenticatedUser = same ? user : { ...user, email: owner.mail, name: owner.name, role: owner.role };
        this.#fromOrm.add(next);
        this.#verified.set(key, next, Math.min(tokenExpiry, trustUntil));
      },
      (error: unknown) => {
        // Unknown or inactive now: refused from the next request on. The orm not answering changes nothing yet.
        if (error instanceof AuthError && error.code === 'INVALID_TOKEN') this.#verified.delete(key);
      },
    ).finally(() => this.#refreshing.delete(key));
    this.#refreshing.set(key, refreshed);
  }

  /** A revocation: requests from now on start their own verification instead of joining one that began before it. */
  #forgetInFlight(): void {
    this.#epoch++;
    this.#verifying.clear();
  }

  /** Resolves once the background refreshes started so far are done (tests observe their outcome with it). */
  async refreshesSettled(): Promise<void> {
    await Promise.all(this.#refreshing.values());
  }

  /** An open WebSocket after a revocation event: a revoked key never; a user only while the orm says active. */
  async stillAuthorized(user: AuthenticatedUser, item: Invalidation): Promise<boolean> {
    // Keys are announced only when deactivated or deleted.
    if (item.kind === 'api_key') return user.apiKeyId !== item.id;
    if (item.id !== user.userId) return true;
    try {
      await this.users.activeUser(user.userId);
      return true;
    } catch (error) {
      // Unknown or inactive: revoked. The orm not answering is no reason to cut a stream.
      return !(error instanceof AuthError && error.code === 'INVALID_TOKEN');
    }
  }

  /** Forget every cached credential (the revocation stream had a gap: an event may be missed). */
  forgetAll(): void {
    this.#forgetInFlight();
    this.#verified.clear();
    this.users.clear();
    this.apiKeys.clear();
  }

  /** Revocation: forget what was cached about these users and keys (see invalidation.ts). */
  invalidate(items: readonly Invalidation[]): void {
    if (items.length > 0) this.#forgetInFlight();
    for (const item of items) {
      if (item.kind === 'api_key') {
        this.apiKeys.invalidateKey(item.id);
      } else {
        this.users.invalidate(item.id);
        this.apiKeys.invalidateUser(item.id);
        this.#verified.deleteWhere((user) => user.userId === item.id);
      }
    }
  }

  /** Releases the orm keep-alive connections (gateway shutdown). */
  close(): Promise<void> {
    return this.orm.close();
  }

  isAdmin(user: Pick<AuthenticatedUser, 'role' | 'email'>): boolean {
    return user.role === 'admin' || user.email.toLowerCase() === this.settings.adminMail;
  }

  /** The identity (or, user null, anonymous) headers for upstream while still reusable; read-only. */
  cachedHeaders(user: AuthenticatedUser | null, upstream: string): Readonly<Record<string, string>> | null {
    const entry = user === null ? this.#anonymous.get(upstream) : this.#headers.get(user)?.get(upstream);
    return entry !== undefined && entry.refreshAt > this.#now() ? entry.headers : null;
  }

  /** x-user-*, x-auth-method and x-gateway-assertion for upstream; a fresh object each call (callers may mutate it). */
  async identityHeaders(user: AuthenticatedUser, upstream: string): Promise<Record<string, string>> {
    const cached = this.cachedHeaders(user, upstream);
    if (cached !== null) return { ...cached };
    const role = this.isAdmin(user) ? 'admin' : 'user';
    const assertion = await this.signer.signReusable(
      { userId: user.userId, email: user.email, role, scopes: user.scopes, authMethod: user.authMethod },
      upstream,
    );
    const headers: Record<string, string> = {
      'x-user-id': String(user.userId),
      'x-user-email': user.email,
      'x-user-role': role,
      'x-user-scopes': user.scopes.join(','),
      'x-auth-method': user.authMethod,
      [ASSERTION_HEADER]: assertion.token,
    };
    // Read after signing: a concurrent call may have made the map meanwhile.
    let perUpstream = this.#headers.get(user);
    if (!perUpstream) {
      perUpstream = new Map();
      this.#headers.set(user, perUpstream);
    }
    perUpstream.set(upstream, { headers, refreshAt: assertion.reuseUntil });
    return { ...headers };
  }

  /** x-gateway-assertion for a public route: anonymous (no user), short-lived, cached like the others. */
  async anonymousHeaders(upstream: string): Promise<Record<string, string>> {
    const cached = this.cachedHeaders(null, upstream);
    if (cached !== null) return { ...cached };
    const assertion = await this.signer.signAnonymous(upstream);
    const headers = { [ASSERTION_HEADER]: assertion.token };
    this.#anonymous.set(upstream, { headers, refreshAt: assertion.reuseUntil });
    return { ...headers };
  }
}

/** Our tokens are ~300 bytes and serve as their own cache key; long (external) ones are hashed so 10 000 cached entries stay small. */
function tokenKey(token: string): string {
  return token.length <= TOKEN_KEY_MAX ? token : createHash('sha256').update(token).digest('base64url');
}

function reject(error: AuthError): AuthOutcome {
  return { kind: 'rejected', status: error.status, detail: error.detail, code: error.code };
}

/** Loads the signing keys (async: PEM import) and builds the EdgeAuth; throws AuthSettingsError on bad key files. */
export async function createEdgeAuth(options: EdgeAuthOptions): Promise<GatewayEdgeAuth> {
  const keys = await loadSigningKeys(options.settings);
  return new GatewayEdgeAuth({ ...options, keys });
}

function freshAssertionKey(): { privateKey: KeyObject; kid: string } {
  const privateKey = generateAssertionKey();
  return { privateKey, kid: publicJwkOf(privateKey).kid };
}
