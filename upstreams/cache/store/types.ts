// The storage interface the cache actions need, and nothing more: Redis (ioredis)
// and the in-process store implement it and run one shared contract suite.

/** Called with each message published on a subscribed channel. */
export type ChannelListener = (message: string) => void;

/** Connectivity transitions, so streams can tell subscribers about outages. */
export type StoreStatus = 'up' | 'down';
export type StoreStatusListener = (status: StoreStatus, error?: Error) => void;

export interface CacheStore {
  /** Which implementation this is ("redis" or "memory"), for /health and logs. */
  readonly kind: 'redis' | 'memory';
  hget(key: string, field: string): Promise<string | null>;
  hgetall(key: string): Promise<Record<string, string>>;
  hset(key: string, field: string, value: string): Promise<void>;
  /** Inclusive range with Redis semantics (negative indexes count from the end). */
  lrange(key: string, start: number, stop: number): Promise<string[]>;
  rpush(key: string, ...values: string[]): Promise<number>;
  ltrim(key: string, start: number, stop: number): Promise<void>;
  llen(key: string): Promise<number>;
  get(key: string): Promise<string | null>;
  /** Sets a string value, with an expiry in seconds when ttlSeconds is given. */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /** Returns the number of subscribers that received the message. */
  publish(channel: string, message: string): Promise<number>;
  /** Subscribes one listener; the returned function removes it. Survives reconnects. */
  subscribe(channel: string, listener: ChannelListener): Promise<() => Promise<void>>;
  /** Round trip in milliseconds; rejects when the store is unreachable. */
  ping(): Promise<number>;
  onStatus(listener: StoreStatusListener): () => void;
  /** Connected now, and commands failed so far (metrics); absent: always up, never fails (the in-process store). */
  stats?(): { up: boolean; commandErrors: number };
  close(): Promise<void>;
}
