// Login throttling (issue 10, "login under attack"): login attempts are counted per
// account and per client address with rate-limiter-flexible, a good login gives
// its attempt back, so what accumulates are failures; past the limit the login is
// refused with 429 + Retry-After before any password is hashed. In
// memory, or in Redis when REDIS_URL is set so every replica sees the same counts
// (with an in-memory insurance limiter while Redis is away). Unknown accounts are
// counted exactly like known ones, so the throttle tells nothing about which exist.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface LoginThrottleSettings {
  /** Failed logins of one account allowed per window (0 = no account limit). */
  accountFailures: number;
  /** Failed logins from one client address allowed per window (0 = no address limit). */
  addressFailures: number;
  windowS: number;
  /**
   * How long a refused login waits before its 429 (absent: none). A flood loop
   * answered at once is a CPU fight with everyone else; answered after a second it
   * is a few idle sockets.
   */
  refusalDelayMs?: number;
}

export const LOGIN_THROTTLE_DEFAULTS: LoginThrottleSettings = { accountFailures: 10, addressFailures: 50, windowS: 900, refusalDelayMs: 1000 };

const ENV = { accountFailures: 'LOGIN_MAX_FAILURES_PER_ACCOUNT', addressFailures: 'LOGIN_MAX_FAILURES_PER_ADDRESS', windowS: 'LOGIN_FAILURE_WINDOW_S', refusalDelayMs: 'LOGIN_REFUSAL_DELAY_MS' } as const;

/** Reads the settings once at start-up; a bad value stops the gateway. */
export function loadLoginThrottleSettings(env: NodeJS.ProcessEnv = process.env): LoginThrottleSettings {
  const settings = { ...LOGIN_THROTTLE_DEFAULTS };
  for (const [field, name] of Object.entries(ENV) as Array<[keyof LoginThrottleSettings, string]>) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0 || (field === 'windowS' && value < 1)) throw new Error(`${name} must be a whole number${field === 'windowS' ? ' ≥ 1' : ' ≥ 0'}, got ${JSON.stringify(raw)}`);
    settings[field] = value;
  }
  return settings;
}

export interface LoginThrottleOptions {
  settings?: LoginThrottleSettings;
  /** Shared counters across replicas; memory when absent. */
  redis?: Redis;
  keyPrefix?: string;
}

/** What the login route needs of a throttle: LoginThrottle, or a worker's stand-in that asks the primary's. */
export type LoginLimiter = Pick<LoginThrottle, 'refusalDelayMs' | 'attempt' | 'succeeded' | 'unchecked'>;

export class LoginThrottle {
  readonly refusalDelayMs: number;
  readonly #account: RateLimiterAbstract | null;
  readonly #address: RateLimiterAbstract | null;

  constructor(options: LoginThrottleOptions = {}) {
    const settings = options.settings ?? LOGIN_THROTTLE_DEFAULTS;
    this.refusalDelayMs = settings.refusalDelayMs ?? 0;
    const prefix = options.keyPrefix ?? 'fullon:login-failures';
    const limiter = (points: number, name: string): RateLimiterAbstract | null => {
      if (points === 0) return null;
      // Blocked for the rest of the window once over: the window restarts on the block.
      const base = { points, duration: settings.windowS, blockDuration: settings.windowS, keyPrefix: `${prefix}:${name}` };
      const memory = new RateLimiterMemory(base);
      return options.redis ? new RateLimiterRedis({ ...base, storeClient: options.redis, insuranceLimiter: memory, rejectIfRedisNotReady: true }) : memory;
    };
    this.#account = limiter(settings.accountFailures, 'account');
    this.#address = limiter(settings.addressFailures, 'address');
  }

  /**
   * Counts a login attempt before the password is checked — atomically, so 16
   * attempts in flight at once cannot all slip under the limit — and answers the
   * seconds to wait when the account or the address is over it; null to go on.
   */
  async attempt(account: string, address: string): Promise<number | null> {
    const [byAccount, byAddress] = await Promise.all([spend(this.#account, accountKey(account)), spend(this.#address, address)]);
    const wait = Math.max(byAccount, byAddress);
    return wait > 0 ? wait : null;
  }

  /** A good login: its account starts afresh and its attempt is given back to the address. */
  async succeeded(account: string, address: string): Promise<void> {
    await Promise.all([this.#account?.delete(accountKey(account)).catch(() => false), this.#address?.reward(address, 1).catch(() => null)]);
  }

  /** The orm could not check the password: not the account holder's failure. */
  async unchecked(account: string): Promise<void> {
    await this.#account?.reward(accountKey(account), 1).catch(() => null);
  }
}

/** Mails are keys in a shared Redis: store a digest, not the address itself. */
function accountKey(account: string): string {
  return createHash('sha256').update(account.trim().toLowerCase()).digest('base64url');
}

/** Spends one point; the seconds to wait when that went over the limit, else 0. */
async function spend(limiter: RateLimiterAbstract | null, key: string): Promise<number> {
  if (!limiter) return 0;
  try {
    await limiter.consume(key);
    return 0;
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    return Math.max(1, Math.ceil(error.msBeforeNext / 1000));
  }
}
