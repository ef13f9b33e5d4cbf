// Carries revocation events (invalidation.ts) between gateway replicas that share
// a Redis (REDIS_URL): each replica publishes what its own traffic revoked and
// applies what the others publish, so a key deactivated through one replica is
// refused by all of them within a round trip (well under the 1 s contract).
// Event-driven: nothing here polls, and the cost does not grow with the number
// of keys. Without REDIS_URL each replica still revokes its own traffic at once,
// and every cache entry expires within the 5 s TTL.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { parseInvalidations, formatInvalidations, type Invalidation } from './invalidation.ts';

export const REVOCATION_CHANNEL_DEFAULT = 'fullon:gateway:auth-invalidate';
const RECONNECT_MAX_DELAY_MS = 2_000;

export interface RevocationBusLogger {
  warn(object: object, message: string): void;
}

export interface RevocationBusOptions {
  redisUrl: string;
  channel?: string;
  /** Events published by the other replicas. */
  onRemote: (items: Invalidation[]) => void;
  logger: RevocationBusLogger;
}

export class RevocationBus {
  /** Tells our own messages apart when they come back on the channel. */
  readonly origin = randomUUID();
  readonly channel: string;
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #logger: RevocationBusLogger;
  readonly #subscribed: Promise<void>;

  constructor(options: RevocationBusOptions) {
    this.channel = options.channel ?? REVOCATION_CHANNEL_DEFAULT;
    this.#logger = options.logger;
    const common = { lazyConnect: false, retryStrategy: (times: number) => Math.min(times * 100, RECONNECT_MAX_DELAY_MS) };
    // A publish while Redis is down fails fast: the local revocation already happened.
    this.#publisher = new Redis(options.redisUrl, { ...common, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.#subscriber = new Redis(options.redisUrl, { ...common, maxRetriesPerRequest: null, autoResubscribe: true });
    for (const connection of [this.#publisher, this.#subscriber]) {
      // ioredis reconnects by itself; an unhandled 'error' event would crash the gateway.
      connection.on('error', (error: Error) => this.#logger.warn({ err: { message: error.message } }, 'revocation bus: redis error'));
    }
    this.#subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const event = readEvent(message);
      if (event && event.origin !== this.origin && event.items.length > 0) options.onRemote(event.items);
    });
    this.#subscribed = this.#subscriber.subscribe(this.channel).then(
      () => undefined,
      (error: unknown) => this.#logger.warn({ err: { message: (error as Error).message } }, 'revocation bus: subscribe failed'),
    );
  }

  /** Resolves once the channel is subscribed (or the attempt failed and was logged). */
  ready(): Promise<void> {
    return this.#subscribed;
  }

  /** Fire and forget: a failed publish is logged, never thrown into the request. */
  publish(items: readonly Invalidation[]): void {
    if (items.length === 0) return;
    const message = JSON.stringify({ origin: this.origin, items: formatInvalidations(items) });
    this.#publisher.publish(this.channel, message).catch((error: unknown) => {
      this.#logger.warn({ err: { message: (error as Error).message } }, 'revocation bus: publish failed; other replicas rely on their cache TTL');
    });
  }

  async close(): Promise<void> {
    this.#publisher.disconnect();
    this.#subscriber.disconnect();
  }
}

/** Messages are hostile too: anything but {origin, items: "user=5, api_key=12"} is dropped. */
function readEvent(message: string): { origin: string; items: Invalidation[] } | null {
  if (message.length > 4096) return null;
  try {
    const parsed = JSON.parse(message) as { origin?: unknown; items?: unknown };
    if (typeof parsed.origin !== 'string' || typeof parsed.items !== 'string') return null;
    return { origin: parsed.origin, items: parseInvalidations(parsed.items) };
  } catch {
    return null;
  }
}
