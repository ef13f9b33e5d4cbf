// The cache upstream's settings: one defaults object, overridden from the environment.

export const CACHE_DEFAULTS = {
  redisUrl: undefined as string | undefined,
  keyPrefix: '',
  /** Change-detecting reads: one read per key per interval, shared by all subscribers. */
  pollIntervalMs: 500,
  ormUrl: undefined as string | undefined,
  ownershipTtlMs: 5000,
  /** Above this many queued bytes a socket's stream updates are conflated. */
  sendBufferBytes: 1024 * 1024,
  /** A socket stuck above the buffer limit this long is closed with 1013. */
  stallTimeoutMs: 10_000,
  pingIntervalMs: 30_000,
  maxSubscriptionsPerSocket: 500,
  /** Sockets one user may hold open at once (closed with 1008 beyond it). */
  maxSocketsPerUser: 20,
  /** Feeds one user may subscribe, summed over all their sockets. */
  maxSubscriptionsPerUser: 1000,
  maxMessageBytes: 64 * 1024,
  maxSymbolsPerStream: 200,
};

export type CacheSettings = typeof CACHE_DEFAULTS;

export function readCacheSettings(env: NodeJS.ProcessEnv = process.env): CacheSettings {
  const int = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
    return value;
  };
  return {
    redisUrl: env.REDIS_URL || undefined,
    keyPrefix: env.CACHE_KEY_PREFIX ?? '',
    pollIntervalMs: int('CACHE_POLL_INTERVAL_MS', CACHE_DEFAULTS.pollIntervalMs),
    ormUrl: env.UPSTREAM_ORM_API_URL || undefined,
    ownershipTtlMs: int('CACHE_OWNERSHIP_TTL_MS', CACHE_DEFAULTS.ownershipTtlMs),
    sendBufferBytes: int('CACHE_WS_SEND_BUFFER_BYTES', CACHE_DEFAULTS.sendBufferBytes),
    stallTimeoutMs: int('CACHE_WS_STALL_TIMEOUT_MS', CACHE_DEFAULTS.stallTimeoutMs),
    pingIntervalMs: int('CACHE_WS_PING_INTERVAL_MS', CACHE_DEFAULTS.pingIntervalMs),
    maxSubscriptionsPerSocket: int('CACHE_WS_MAX_SUBSCRIPTIONS', CACHE_DEFAULTS.maxSubscriptionsPerSocket),
    maxSocketsPerUser: int('CACHE_WS_MAX_SOCKETS_PER_USER', CACHE_DEFAULTS.maxSocketsPerUser),
    maxSubscriptionsPerUser: int('CACHE_WS_MAX_SUBSCRIPTIONS_PER_USER', CACHE_DEFAULTS.maxSubscriptionsPerUser),
    maxMessageBytes: int('CACHE_WS_MAX_MESSAGE_BYTES', CACHE_DEFAULTS.maxMessageBytes),
    maxSymbolsPerStream: CACHE_DEFAULTS.maxSymbolsPerStream,
  };
}
