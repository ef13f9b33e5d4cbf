// Per-user WebSocket caps, counted across all of a user's sockets (issue 10
// finding #9: one user opened 40 sockets × 500 streams = 20 000 feeds and slowed
// everyone else). The per-socket cap (CACHE_WS_MAX_SUBSCRIPTIONS) alone does not
// bound a user who simply opens more sockets.
import { SubscriptionLimitError } from './session.ts';

export interface UserQuotaLimits {
  /** Open sockets one user may hold at once. */
  maxSockets: number;
  /** Subscribed feeds one user may hold, summed over their sockets. */
  maxSubscriptions: number;
}

/** One socket's share of its user's quota; released when the socket closes. */
export interface QuotaLease {
  reserve(weight: number): void;
  release(weight: number): void;
  close(): void;
}

export class SocketLimitError extends Error {}

interface Usage {
  sockets: number;
  subscriptions: number;
}

export class UserQuota {
  readonly #limits: UserQuotaLimits;
  readonly #usage = new Map<number, Usage>();

  constructor(limits: UserQuotaLimits) {
    this.#limits = limits;
  }

  /** Counts a new socket for userId, or throws SocketLimitError when they already hold the maximum. */
  open(userId: number): QuotaLease {
    const usage = this.#usage.get(userId) ?? { sockets: 0, subscriptions: 0 };
    if (usage.sockets >= this.#limits.maxSockets) {
      throw new SocketLimitError(`Too many WebSocket connections: at most ${this.#limits.maxSockets} per user`);
    }
    usage.sockets++;
    this.#usage.set(userId, usage);
    let closed = false;
    let held = 0;
    return {
      reserve: (weight) => {
        if (usage.subscriptions + weight > this.#limits.maxSubscriptions) {
          throw new SubscriptionLimitError(`Subscription limit reached (${this.#limits.maxSubscriptions} per user, across all sockets)`);
        }
        usage.subscriptions += weight;
        held += weight;
      },
      release: (weight) => {
        const freed = Math.min(weight, held);
        usage.subscriptions -= freed;
        held -= freed;
      },
      close: () => {
        if (closed) return;
        closed = true;
        usage.subscriptions -= held;
        held = 0;
        usage.sockets--;
        if (usage.sockets === 0) this.#usage.delete(userId);
      },
    };
  }

  /** What a user holds now (tests, health). */
  usageOf(userId: number): Usage {
    const usage = this.#usage.get(userId);
    return { sockets: usage?.sockets ?? 0, subscriptions: usage?.subscriptions ?? 0 };
  }
}
