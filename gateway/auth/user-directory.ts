// Who a token's user_id is right now: role and active state as the orm says,
// cached briefly per user (≤ 5 s, like API keys) so a hot user costs no round trip
// per request, concurrent misses share one orm call, and an invalidation
// (invalidation.ts) drops the entry at once.
import { BoundedCache } from './bounded-cache.ts';
import { AuthError } from './errors.ts';
import type { OrmAuthClient, OrmUser } from './orm-client.ts';

type Looked = { user: OrmUser } | { error: AuthError };

export interface UserDirectoryOptions {
  orm: Pick<OrmAuthClient, 'lookupUser'>;
  ttlMs: number;
  negativeTtlMs: number;
  max: number;
  now?: () => number;
}

export class UserDirectory {
  readonly #options: UserDirectoryOptions;
  readonly #now: () => number;
  readonly #cache: BoundedCache<number, Looked>;
  readonly #inflight = new Map<number, Promise<Looked>>();
  /** Bumped on every invalidation, so a lookup already in flight then is not cached stale. */
  #epoch = 0;

  constructor(options: UserDirectoryOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#cache = new BoundedCache({ max: options.max, now: this.#now });
  }

  /** The active user behind uid; AuthError INVALID_TOKEN when unknown or inactive, 503 when the orm cannot answer. */
  async activeUser(uid: number): Promise<OrmUser> {
    const looked = this.#cache.get(uid) ?? (await this.#lookupOnce(uid));
    if ('error' in looked) throw looked.error;
    if (!looked.user.active) throw new AuthError('INVALID_TOKEN', { reason: 'user inactive' });
    return looked.user;
  }

  /**
   * Asks the orm now (sharing a lookup already in flight) and caches the answer:
   * refresh-ahead for a hot user, so no request waits for the orm when the
   * cached answer runs out (edge-auth.ts).
   */
  async refresh(uid: number): Promise<OrmUser> {
    const looked = await this.#lookupOnce(uid);
    if ('error' in looked) throw looked.error;
    if (!looked.user.active) throw new AuthError('INVALID_TOKEN', { reason: 'user inactive' });
    return looked.user;
  }

  /** Until when (epoch ms) a cached answer about uid may be trusted from now. */
  trustUntil(): number {
    return this.#now() + this.#options.ttlMs;
  }

  clear(): void {
    this.#epoch++;
    this.#inflight.clear();
    this.#cache.clear();
  }

  invalidate(uid: number): void {
    this.#cache.delete(uid);
    this.#epoch++;
    this.#inflight.delete(uid);
  }

  #lookupOnce(uid: number): Promise<Looked> {
    let pending = this.#inflight.get(uid);
    if (!pending) {
      const started = pending = this.#lookup(uid).finally(() => {
        if (this.#inflight.get(uid) === started) this.#inflight.delete(uid);
      });
      this.#inflight.set(uid, pending);
    }
    return pending;
  }

  async #lookup(uid: number): Promise<Looked> {
    const epoch = this.#epoch;
    const now = this.#now();
    try {
      const looked = { user: await this.#options.orm.lookupUser(uid) };
      if (this.#epoch === epoch) this.#cache.set(uid, looked, now + this.#options.ttlMs);
      return looked;
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      // Only "no such user" is remembered; an unreachable orm must be asked again.
      if (error.code === 'INVALID_TOKEN' && this.#epoch === epoch) {
        this.#cache.set(uid, { error }, now + this.#options.negativeTtlMs);
      }
      return { error };
    }
  }
}
