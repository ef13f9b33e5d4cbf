// Which exchanges (ex_ids) and bots (bot_ids) a user owns, asked from the orm
// upstream (GET /internal/users/{uid}/ownership) with a service assertion we
// sign ourselves, cached briefly so a busy socket does not hammer orm.
import { SignJWT } from 'jose';
import { request } from 'undici';

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
  secret: Uint8Array;
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
    const assertion = await new SignJWT({ email: 'gateway@internal', role: 'admin', scopes: [], auth_method: 'gateway' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('0')
      .setIssuer('fullon-gateway')
      .setAudience('orm_api')
      .setIssuedAt()
      .setExpirationTime('30s')
      .sign(this.#options.secret);
    const timeout = this.#options.timeoutMs ?? 3000;
    try {
      const response = await request(new URL(`/internal/users/${uid}/ownership`, this.#options.ormUrl!), {
        headers: { 'x-gateway-assertion': assertion, accept: 'application/json' },
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
