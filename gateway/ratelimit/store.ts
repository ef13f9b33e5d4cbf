// Where route rate limits are counted: this process's memory (RateLimiterMemory),
// or Redis when REDIS_URL is set (RateLimiterRedis) so every worker and replica
// shares one count. One ioredis client per process for all routes, with no offline
// queue and a short command timeout: a Redis that is down or slow fails a request's
// count within ~250 ms instead of queueing it. What happens then is the route's
// choice (on_store_error): open counts in this process's memory until Redis is back
// (rate-limiter-flexible's insuranceLimiter idea, done here so the outage is seen
// and logged once, not per request), closed refuses with 503.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface RateLimitStoreOptions {
  /** REDIS_URL; null or absent: counts live in this process's memory. */
  redisUrl?: string | null;
  logger: Logger;
  /** Redis key prefix (tests isolate themselves with their own). */
  keyPrefix?: string;
  /** Per-command deadline for Redis (default 250 ms). */
  commandTimeoutMs?: number;
}

/** One request's count: allowed or not, what is left and when the window ends. Null: the store is down and the route fails closed. */
export type Verdict = { allowed: boolean; remaining: number; msBeforeNext: number } | null;

export interface RouteLimiter {
  consume(key: string): Promise<Verdict>;
}

const DEFAULT_PREFIX = 'fullon:ratelimit';

export class RateLimitStore {
  /** True when counts are shared through Redis. */
  readonly shared: boolean;
  readonly #redis: Redis | null;
  readonly #logger: Logger;
  readonly #prefix: string;
  /** Counters by limit identity, reused by every route table that has the same limit (reloads keep their counts). */
  readonly #counters = new Map<string, { primary: RateLimiterAbstract; fallback: RateLimiterMemory | null }>();
  #down = false;

  constructor(options: RateLimitStoreOptions) {
    this.#logger = options.logger;
    this.#prefix = options.keyPrefix ?? DEFAULT_PREFIX;
    this.shared = Boolean(options.redisUrl);
    this.#redis = options.redisUrl
      ? new Redis(options.redisUrl, {
          // Down means fail now: no queue of requests waiting for a reconnect, no retries.
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          commandTimeout: options.commandTimeoutMs ?? 250,
          connectTimeout: 2000,
        })
      : null;
    // The outage itself is logged once by #markDown; the client's own errors repeat per reconnect attempt.
    this.#redis?.on('error', (error: Error) => this.#logger.debug({ err: error.message }, 'rate limit redis error'));
  }

  /**
   * The limiter for one limit (`id` names it: route prefix, key kind, points and
   * window). The same id returns the same counters, so a reload that leaves a
   * limit unchanged keeps its counts and a changed limit starts afresh.
   */
  limiter(id: string, points: number, windowS: number, failClosed: boolean): RouteLimiter {
    let counters = this.#counters.get(id);
    if (!counters) {
      const options = { points, duration: windowS, keyPrefix: `${this.#prefix}:${id}` };
      const memory = new RateLimiterMemory(options);
      counters = this.#redis
        ? {
            // inMemoryBlockOnConsumed: once a key has spent its points, its further
            // requests in the window are refused here without asking Redis (a runaway loop costs no round trips).
            primary: new RateLimiterRedis({ ...options, storeClient: this.#redis, rejectIfRedisNotReady: true, inMemoryBlockOnConsumed: points }),
            fallback: memory,
          }
        : { primary: memory, fallback: null };
      this.#counters.set(id, counters);
    }
    const { primary, fallback } = counters;
    return {
      consume: async (key) => {
        try {
          const res = await primary.consume(key);
          if (this.#down) this.#markUp();
          return verdict(true, res);
        } catch (error) {
          if (error instanceof RateLimiterRes) {
            // A refusal Redis itself counted (an in-memory block has consumedPoints 0) says it is back.
            if (this.#down && error.consumedPoints > 0) this.#markUp();
            return verdict(false, error);
          }
          if (!fallback) throw error;
          this.#markDown(error);
          if (failClosed) return null;
          return fallback.consume(key).then((res) => verdict(true, res), (refusal: unknown) => {
            if (refusal instanceof RateLimiterRes) return verdict(false, refusal);
            throw refusal;
          });
        }
      },
    };
  }

  /** Resolves once Redis is connected (at once in memory): before that, counts go to the route's store-error choice. */
  connected(): Promise<void> {
    const redis = this.#redis;
    if (!redis || redis.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => redis.once('ready', () => resolve()));
  }

  close(): void {
    this.#redis?.disconnect();
  }

  #markDown(error: unknown): void {
    if (this.#down) return;
    this.#down = true;
    // The message only (never the URL, which may carry a password).
    this.#logger.warn(
      { capability: 'rate-limit', err: error instanceof Error ? error.message : String(error) },
      'rate limits: Redis unreachable; routes with on_store_error: open count in this process\'s memory until it is back, routes with closed answer 503',
    );
  }

  #markUp(): void {
    this.#down = false;
    this.#logger.info({ capability: 'rate-limit' }, 'rate limits: Redis reachable again; counts are shared again');
  }
}

function verdict(allowed: boolean, res: RateLimiterRes): Verdict {
  return { allowed, remaining: res.remainingPoints, msBeforeNext: res.msBeforeNext };
}
