// X-API-Key checks through the orm, cached briefly: a hot key costs no round trip
// per request, a deactivated or expired key is refused within the TTL (≤ 5 s) —
// at once when the revocation is announced (invalidateKey/invalidateUser) — and
// concurrent checks of one key share one orm call (single flight).
import { createHash } from 'node:crypto';
import { BoundedCache } from './bounded-cache.ts';
import { AuthError } from './errors.ts';
import type { OrmAuthClient } from './orm-client.ts';
import type { AuthenticatedUser } from './types.ts';

/** fullon keys are `fullon_ak_<base64url>`; anything else is refused without asking the orm. */
const API_KEY_FORMAT = /^fullon_ak_[A-Za-z0-9_-]{10,256}$/;

export type Checked = { user: AuthenticatedUser; apiKeyId: number } | { error: AuthError };

/** The cache key: a hash, so the cache never holds usable keys in memory dumps. */
const idOf = (key: string): string => createHash('sha256').update(key).digest('base64url');

export interface ApiKeyAuthOptions {
  orm: Pick<OrmAuthClient, 'verifyApiKey'>;
  ttlMs: number;
  negativeTtlMs: number;
  max: number;
  now?: () => number;
}

export class ApiKeyAuth {
  readonly #options: ApiKeyAuthOptions;
  readonly #now: () => number;
  readonly #cache: BoundedCache<string, Checked>;
  readonly #inflight = new Map<string, Promise<Checked>>();
  /** Bumped on every invalidation, so a check already in flight then is not cached stale. */
  #epoch = 0;

  constructor(options: ApiKeyAuthOptions) {
    if (options.negativeTtlMs > options.ttlMs) throw new RangeError('negative TTL must not exceed the API-key TTL');
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#cache = new BoundedCache({ max: options.max, now: this.#now });
  }

  static isWellFormed(key: string): boolean {
    return API_KEY_FORMAT.test(key);
  }

  /** The key's owner, or throws AuthError (401 INVALID_API_KEY, 503 when the orm cannot be asked). */
  async authenticate(key: string): Promise<AuthenticatedUser> {
    const cached = this.cached(key) ?? (await this.#checkOnce(idOf(key), key));
    if ('error' in cached) throw cached.error;
    return cached.user;
  }

  /** What is known of the key without asking the orm (malformed, or checked within the TTL); undefined: ask. */
  cached(key: string): Checked | undefined {
    if (!API_KEY_FORMAT.test(key)) return { error: new AuthError('INVALID_API_KEY', { reason: 'malformed' }) };
    return this.#cache.get(idOf(key));
  }

  /** Forget the key with this id (deactivated or deleted): the next use asks the orm again. */
  invalidateKey(apiKeyId: number): void {
    this.#epoch++;
    this.#inflight.clear();
    this.#cache.deleteWhere((checked) => 'apiKeyId' in checked && checked.apiKeyId === apiKeyId);
  }

  /** Forget every checked key. */
  clear(): void {
    this.#epoch++;
    this.#inflight.clear();
    this.#cache.clear();
  }

  /** Forget every key of this user (deactivated, role changed). */
  invalidateUser(uid: number): void {
    this.#epoch++;
    this.#inflight.clear();
    this.#cache.deleteWhere((checked) => 'user' in checked && checked.user.userId === uid);
  }

  #checkOnce(id: string, key: string): Promise<Checked> {
    let pending = this.#inflight.get(id);
    if (!pending) {
      const started = (pending = this.#check(id, key).finally(() => {
        if (this.#inflight.get(id) === started) this.#inflight.delete(id);
      }));
      this.#inflight.set(id, pending);
    }
    return pending;
  }

  async #check(id: string, key: string): Promise<Checked> {
    const now = this.#now();
    const epoch = this.#epoch;
    try {
      const owner = await this.#options.orm.verifyApiKey(key);
      if (owner.expiresAt !== null && owner.expiresAt <= now) throw new AuthError('INVALID_API_KEY', { reason: 'expired' });
      const user: AuthenticatedUser = {
        userId: owner.user.uid,
        email: owner.user.mail,
        name: owner.user.name,
        role: owner.user.role,
        scopes: owner.scopes,
        authMethod: 'api_key',
        apiKeyId: owner.apiKeyId,
        expiresAt: owner.expiresAt === null ? null : Math.floor(owner.expiresAt / 1000),
      };
      const until = Math.min(now + this.#options.ttlMs, owner.expiresAt ?? Infinity);
      const checked = { user, apiKeyId: owner.apiKeyId };
      if (this.#epoch === epoch) this.#cache.set(id, checked, until);
      return checked;
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      // Only "no such key" is remembered; an unreachable orm must be asked again.
      if (error.code === 'INVALID_API_KEY' && this.#epoch === epoch) this.#cache.set(id, { error }, now + this.#options.negativeTtlMs);
      return { error };
    }
  }
}
