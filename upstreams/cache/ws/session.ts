// One WebSocket's outgoing side, bounded however slow the client is: replies are
// sent straight away; stream updates are conflated (latest per key wins) while
// the socket's send buffer is above the limit; a socket stuck above it for
// stallTimeoutMs, or far above it, is closed with 1013 (Try Again Later).
export interface SessionSocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: string): void;
  close(code: number, reason: string): void;
  terminate(): void;
}

export interface SessionOptions {
  sendBufferBytes: number;
  stallTimeoutMs: number;
  maxSubscriptions: number;
  /** The user's share across their sockets (user-quota.ts); checked after the per-socket cap. */
  userQuota?: { reserve(weight: number): void; release(weight: number): void; close(): void };
  /** Called once when the session closes the socket for back-pressure. */
  onOverflow?: () => void;
}

const OPEN = 1;
/** Replies are never dropped, so a client flooding requests without reading is cut off here. */
const HARD_LIMIT_FACTOR = 4;
const FLUSH_RETRY_MS = 20;

export class SubscriptionLimitError extends Error {}

interface Subscription {
  weight: number;
  release(): void;
}

export class SocketSession {
  #socket: SessionSocket;
  #options: SessionOptions;
  #pending = new Map<string, string>();
  #flushTimer: NodeJS.Timeout | undefined;
  #stalledSince: number | null = null;
  #subscriptions = new Map<string, Subscription>();
  #weight = 0;
  #closed = false;

  constructor(socket: SessionSocket, options: SessionOptions) {
    this.#socket = socket;
    this.#options = options;
  }

  get closed(): boolean {
    return this.#closed;
  }
  get pendingCount(): number {
    return this.#pending.size;
  }
  get subscriptionWeight(): number {
    return this.#weight;
  }

  /** A one-shot reply or error: always sent, unless the client is hopelessly behind. */
  reply(message: unknown): void {
    if (!this.#writable()) return;
    this.#socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    this.#checkPressure();
  }

  /** A stream update; while backed up only the latest per key is kept. */
  push(key: string, data: string): void {
    if (!this.#writable()) return;
    if (this.#pending.size === 0 && this.#socket.bufferedAmount <= this.#options.sendBufferBytes) {
      this.#socket.send(data);
      return;
    }
    this.#pending.delete(key); // re-insert at the end: keeps delivery order by recency
    this.#pending.set(key, data);
    this.#checkPressure();
  }

  hasStream(streamKey: string): boolean {
    return this.#subscriptions.has(streamKey);
  }

  /** Reserves capacity before the stream's sources are attached. */
  reserve(weight: number): void {
    if (this.#weight + weight > this.#options.maxSubscriptions) {
      throw new SubscriptionLimitError(`Subscription limit reached (${this.#options.maxSubscriptions} per connection)`);
    }
    this.#options.userQuota?.reserve(weight);
    this.#weight += weight;
  }
  unreserve(weight: number): void {
    this.#weight -= weight;
    this.#options.userQuota?.release(weight);
  }

  addStream(streamKey: string, weight: number, release: () => void): void {
    this.#subscriptions.set(streamKey, { weight, release });
  }

  removeStream(streamKey: string): boolean {
    const subscription = this.#subscriptions.get(streamKey);
    if (!subscription) return false;
    this.#subscriptions.delete(streamKey);
    this.#weight -= subscription.weight;
    this.#options.userQuota?.release(subscription.weight);
    subscription.release();
    for (const key of this.#pending.keys()) if (key.startsWith(`${streamKey}\u0000`)) this.#pending.delete(key);
    return true;
  }

  streamKeys(): string[] {
    return [...this.#subscriptions.keys()];
  }

  /** Closes the socket after what was already sent (e.g. 1008 when a feed is refused). */
  close(code: number, reason: string): void {
    if (!this.#writable()) return;
    this.#socket.close(code, reason);
    this.dispose();
  }

  /** Releases every subscription; called when the socket closes. */
  dispose(): void {
    this.#closed = true;
    clearTimeout(this.#flushTimer);
    this.#pending.clear();
    for (const key of [...this.#subscriptions.keys()]) this.removeStream(key);
    this.#options.userQuota?.close();
  }

  #writable(): boolean {
    return !this.#closed && this.#socket.readyState === OPEN;
  }

  #checkPressure(): void {
    const buffered = this.#socket.bufferedAmount;
    if (buffered > this.#options.sendBufferBytes * HARD_LIMIT_FACTOR) return this.#overflow();
    if (buffered > this.#options.sendBufferBytes || this.#pending.size > 0) {
      this.#stalledSince ??= Date.now();
      this.#scheduleFlush();
    }
  }

  #scheduleFlush(): void {
    if (this.#flushTimer) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      this.#flush();
    }, FLUSH_RETRY_MS);
  }

  #flush(): void {
    if (!this.#writable()) return;
    for (const [key, data] of this.#pending) {
      if (this.#socket.bufferedAmount > this.#options.sendBufferBytes) break;
      this.#pending.delete(key);
      this.#socket.send(data);
    }
    if (this.#pending.size === 0 && this.#socket.bufferedAmount <= this.#options.sendBufferBytes) {
      this.#stalledSince = null;
      return;
    }
    if (this.#stalledSince !== null && Date.now() - this.#stalledSince >= this.#options.stallTimeoutMs) return this.#overflow();
    this.#scheduleFlush();
  }

  #overflow(): void {
    if (this.#closed) return;
    this.#options.onOverflow?.();
    this.#socket.close(1013, 'Send buffer limit exceeded');
    this.dispose();
    // The close frame waits behind the unread data; if the client never reads
    // it, free the connection after a grace period.
    const socket = this.#socket;
    setTimeout(() => socket.terminate(), this.#options.stallTimeoutMs).unref();
  }
}
