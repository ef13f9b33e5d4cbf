// CacheStore over ioredis: one command connection and one subscriber connection.
// ioredis reconnects by itself and re-subscribes channels (autoResubscribe), so
// streams resume after an outage without the clients doing anything.
import { Redis, type RedisOptions } from 'ioredis';
import type { CacheStore, ChannelListener, StoreStatus, StoreStatusListener } from './types.ts';

export interface RedisStoreOptions {
  url: string;
  /** Per-command timeout so a stuck Redis fails a request instead of hanging it. */
  commandTimeoutMs?: number;
}

const RECONNECT_MAX_DELAY_MS = 1000;

export class RedisStore implements CacheStore {
  readonly kind = 'redis' as const;
  #client: Redis;
  #subscriber: Redis;
  #channels = new Map<string, Set<ChannelListener>>();
  #statusListeners = new Set<StoreStatusListener>();
  #status: StoreStatus = 'up';
  #commandErrors = 0;

  constructor(options: RedisStoreOptions) {
    const common: RedisOptions = {
      lazyConnect: false,
      // Fail queued commands after one reconnect attempt: callers get CACHE_ERROR
      // quickly during an outage instead of waiting for Redis to come back.
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(times * 100, RECONNECT_MAX_DELAY_MS),
    };
    this.#client = new Redis(options.url, { ...common, commandTimeout: options.commandTimeoutMs ?? 2000 });
    // The subscriber keeps its offline queue: SUBSCRIBE issued while down is sent on reconnect.
    this.#subscriber = new Redis(options.url, { ...common, maxRetriesPerRequest: null, autoResubscribe: true });
    this.#subscriber.on('message', (channel: string, message: string) => {
      for (const listener of this.#channels.get(channel) ?? []) listener(message);
    });
    for (const connection of [this.#client, this.#subscriber]) {
      connection.on('error', (error: Error) => this.#setStatus('down', error));
      connection.on('close', () => this.#setStatus('down', new Error('Redis connection closed')));
      connection.on('ready', () => {
        if (this.#client.status === 'ready' && this.#subscriber.status === 'ready') this.#setStatus('up');
      });
    }
  }

  async hget(key: string, field: string) {
    return this.#counted(this.#client.hget(key, field));
  }
  async hgetall(key: string) {
    return this.#counted(this.#client.hgetall(key));
  }
  async hset(key: string, field: string, value: string) {
    await this.#counted(this.#client.hset(key, field, value));
  }
  async lrange(key: string, start: number, stop: number) {
    return this.#counted(this.#client.lrange(key, start, stop));
  }
  async rpush(key: string, ...values: string[]) {
    return this.#counted(this.#client.rpush(key, ...values));
  }
  async ltrim(key: string, start: number, stop: number) {
    await this.#counted(this.#client.ltrim(key, start, stop));
  }
  async llen(key: string) {
    return this.#counted(this.#client.llen(key));
  }
  async get(key: string) {
    return this.#counted(this.#client.get(key));
  }
  async set(key: string, value: string, ttlSeconds?: number) {
    if (ttlSeconds) await this.#counted(this.#client.set(key, value, 'EX', ttlSeconds));
    else await this.#counted(this.#client.set(key, value));
  }
  async publish(channel: string, message: string) {
    return this.#counted(this.#client.publish(channel, message));
  }
  async subscribe(channel: string, listener: ChannelListener) {
    let set = this.#channels.get(channel);
    if (!set) {
      const created = new Set<ChannelListener>();
      set = created;
      this.#channels.set(channel, created);
      try {
        await this.#subscriber.subscribe(channel);
      } catch (error) {
        // Forget the channel, or the next subscriber would skip the SUBSCRIBE.
        if (created.size === 0 && this.#channels.get(channel) === created) this.#channels.delete(channel);
        throw error;
      }
    }
    set.add(listener);
    return async () => {
      set.delete(listener);
      if (set.size > 0 || this.#channels.get(channel) !== set) return;
      this.#channels.delete(channel);
      await this.#subscriber.unsubscribe(channel).catch(() => {});
    };
  }
  async ping() {
    const started = performance.now();
    await this.#counted(this.#client.ping());
    return performance.now() - started;
  }
  onStatus(listener: StoreStatusListener) {
    this.#statusListeners.add(listener);
    return () => void this.#statusListeners.delete(listener);
  }
  async close() {
    this.#statusListeners.clear();
    this.#client.disconnect();
    this.#subscriber.disconnect();
  }

  /** Connected, and commands that failed so far (metrics, read at scrape time). */
  stats(): { up: boolean; commandErrors: number } {
    return { up: this.#status === 'up', commandErrors: this.#commandErrors };
  }

  /** Counts a command that failed (timeout, refused, Redis error reply) and passes the outcome on. */
  #counted<T>(command: Promise<T>): Promise<T> {
    return command.catch((error: unknown) => {
      this.#commandErrors++;
      throw error;
    });
  }

  #setStatus(status: StoreStatus, error?: Error) {
    if (status === this.#status) return;
    this.#status = status;
    for (const listener of this.#statusListeners) listener(status, error);
  }
}
