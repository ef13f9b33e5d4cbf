// Listens to the orm's revocation stream (GET /internal/auth/events, server-sent
// events) so this gateway drops a key or user revoked through any other gateway
// sharing the orm within a round trip — pushed by the orm, never polled, one
// connection whatever the number of keys. While the stream is down, the caches'
// 5 s TTL still bounds how long a revoked credential lives; after a gap every
// cached credential is forgotten once (an event may have been missed), then the
// stream resumes. Follows the orm's address in the registry across restarts.
import { GATEWAY_SERVICE_IDENTITY, type AssertionSigner } from './assertion-signer.ts';
import { parseInvalidations, type Invalidation } from './invalidation.ts';
import type { UpstreamRegistry } from '../registry/upstream-registry.ts';

export const ORM_EVENTS_PATH = '/internal/auth/events';

export const REVOCATION_FEED_DEFAULTS = {
  retryInitialMs: 200,
  retryMaxMs: 5_000,
  /** A line longer than this is not an event the orm writes: the stream is dropped. */
  maxLineBytes: 4_096,
} as const;

export interface OrmRevocationFeedOptions {
  registry: UpstreamRegistry;
  upstream: string;
  signer: Pick<AssertionSigner, 'sign'>;
  onEvent: (items: Invalidation[]) => void;
  /** The stream came back after a gap: events may have been missed. */
  onResubscribed: () => void;
  /** Each time the stream is open (tests await it). */
  onSubscribed?: () => void;
  logger: { warn(object: object, message: string): void; debug?(object: object, message: string): void };
}

export class OrmRevocationFeed {
  readonly #options: OrmRevocationFeedOptions;
  #closed = false;
  #abort: AbortController | null = null;
  #wake: (() => void) | null = null;
  #running: Promise<void> | null = null;

  constructor(options: OrmRevocationFeedOptions) {
    this.#options = options;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#abort?.abort();
    this.#wake?.();
    await this.#running;
  }

  async #run(): Promise<void> {
    let delay: number = REVOCATION_FEED_DEFAULTS.retryInitialMs;
    let subscribedBefore = false;
    while (!this.#closed) {
      try {
        await this.#follow(() => {
          if (subscribedBefore) this.#options.onResubscribed();
          subscribedBefore = true;
          delay = REVOCATION_FEED_DEFAULTS.retryInitialMs;
          this.#options.onSubscribed?.();
        });
      } catch (error) {
        if (!this.#closed) this.#options.logger.debug?.({ err: { message: (error as Error).message } }, 'orm revocation stream interrupted; reconnecting');
      }
      if (this.#closed) break;
      await this.#sleep(delay);
      delay = Math.min(delay * 2, REVOCATION_FEED_DEFAULTS.retryMaxMs);
    }
  }

  /** One subscription, until the stream ends or fails. */
  async #follow(onOpen: () => void): Promise<void> {
    const { registry, upstream, signer } = this.#options;
    const state = registry.get(upstream);
    if (!state?.target || state.availability === 'down') throw new Error(`${upstream} has no usable address`);
    const assertion = await signer.sign(GATEWAY_SERVICE_IDENTITY, upstream);
    this.#abort = new AbortController();
    const response = await fetch(new URL(ORM_EVENTS_PATH, state.target), {
      headers: { accept: 'text/event-stream', 'x-gateway-assertion': assertion },
      signal: this.#abort.signal,
      redirect: 'error',
    });
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel();
      throw new Error(`${upstream} answered ${response.status} to ${ORM_EVENTS_PATH}`);
    }
    onOpen();
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        if (line.startsWith('data:')) {
          const items = parseInvalidations(line.slice(5));
          if (items.length > 0) this.#options.onEvent(items);
        }
      }
      if (buffer.length > REVOCATION_FEED_DEFAULTS.maxLineBytes) throw new Error('oversized line on the revocation stream');
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}
