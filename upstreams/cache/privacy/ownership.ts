// Which exchanges (ex_ids) and bots (bot_ids) a user owns, asked from the orm
// upstream (GET /internal/users/{uid}/ownership) under the cache's OWN service
// identity (never the gateway's, never a user's: the orm grants it this one
// route), cached briefly so a busy socket does not hammer orm.
import { request } from 'undici';
import { ASSERTION_HEADER } from '../../common/assertion.ts';

export interface Ownership {
  exIds: ReadonlySet<number>;
  botIds: ReadonlySet<number>;
}

export class OwnershipUnavailableError extends Error {
  readonly code = 'OWNERSHIP_UNAVAILABLE';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'OwnershipUnavailableError';
  }
}

export interface OwnershipClientOptions {
  /** orm base URL; without it nobody but admins owns anything. */
  ormUrl: string | undefined;
  ttlMs: number;
  /** Signs the cache's own service assertion (common/service-assertion.ts); null: no identity, so no look-ups. */
  signer: { sign(audience: string): Promise<string> } | null;
  /** The orm's upstream name, the assertion's audience. */
  ormName?: string;
  timeoutMs?: number;
}

const NOTHING: Ownership = { exIds: new Set(), botIds: new Set() };
const MAX_ENTRIES = 10_000;

export class OwnershipClient {
  #options: OwnershipClientOptions;
  #cache = new Map<number, { at: number; value: Promise<Ownership> }>();

  constructor(options: OwnershipClientOptions) {
    this.#options = options;
  }

  async ownershipOf(uid: number): Promise<Ownership> {
    if (!this.#options.ormUrl) return NOTHING;
    if (!this.#options.signer) throw new OwnershipUnavailableError('the cache has no service identity to ask the orm with (SERVICE_ASSERTION_PRIVATE_KEY)');
    const now = Date.now();
    const cached = this.#cache.get(uid);
    if (cached && now - cached.at < this.#options.ttlMs) return cached.value;
    if (this.#cache.size >= MAX_ENTRIES) this.#cache.clear();
    const value = this.#fetch(uid);
    this.#cache.set(uid, { at: now, value });
    // A failure is not cached: the next request asks again.
    value.catch(() => {
      if (this.#cache.get(uid)?.value === value) this.#cache.delete(uid);
    });
    return value;
  }

  async #fetch(uid: number): Promise<Ownership> {
    const assertion = await this.#options.signer!.sign(this.#options.ormName ?? 'orm_api');
    const timeout = this.#options.timeoutMs ?? 3000;
    try {
      const response = await request(new URL(`/internal/users/${uid}/ownership`, this.#options.ormUrl!), {
        headers: { [ASSERTION_HEADER]: assertion, accept: 'application/json' },
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      if (response.statusCode === 404) {
        await response.body.dump();
        return NOTHING;
      }
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new OwnershipUnavailableError(`orm answered ${response.statusCode}`);
      }
      const body = (await response.body.json()) as { ex_ids?: unknown; bot_ids?: unknown };
      return { exIds: toIdSet(body.ex_ids), botIds: toIdSet(body.bot_ids) };
    } catch (error) {
      if (error instanceof OwnershipUnavailableError) throw error;
      throw new OwnershipUnavailableError('orm ownership lookup failed', { cause: error });
    }
  }
}

function toIdSet(value: unknown): Set<number> {
  return new Set(Array.isArray(value) ? value.map(Number).filter((id) => Number.isSafeInteger(id)) : []);
}
