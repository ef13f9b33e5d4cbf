// The primary's end of log streams: a worker follows a service through one
// subscription to the LogFeed, however many of its clients watch that service.
// The worker asks with 'log-follow' when a stream opens (the reply is that
// stream's backlog; the first one also subscribes), says 'log-unfollow' when its
// last stream of the service closed, and a worker that exits loses its
// subscriptions. Each change is logged with the number left, which is how an
// operator (and the tests) see that a client that went away freed its share.
import type { Logger } from 'pino';
import type { LogFeed } from '../services-api/log-feed.ts';
import type { WorkerPeer } from './worker-pool.ts';

export class WorkerLogFollows {
  readonly #feed: LogFeed;
  readonly #logger: Logger;
  /** Per worker: service → the feed subscription's close. */
  readonly #follows = new Map<WorkerPeer, Map<string, () => void>>();

  constructor(feed: LogFeed, logger: Logger) {
    this.#feed = feed;
    this.#logger = logger;
  }

  /** Wires one worker's requests; the returned function forgets its subscriptions (the worker exited). */
  serve(peer: WorkerPeer, slot: number): () => void {
    const mine = new Map<string, () => void>();
    this.#follows.set(peer, mine);
    peer.handle('log-follow', ({ service, start }) => {
      if (mine.has(service)) return this.#feed.snapshot(service, start);
      // Throws SERVICE_NOT_FOUND for an unknown name: the worker's client gets the 404.
      const { snapshot, close } = this.#feed.subscribe(service, start, (records) => peer.notify('log-lines', { service, records }));
      mine.set(service, close);
      this.#log(slot, service, 'follows');
      return snapshot;
    });
    peer.on('log-unfollow', ({ service }) => {
      const close = mine.get(service);
      if (!close) return;
      close();
      mine.delete(service);
      this.#log(slot, service, 'stopped following');
    });
    return () => {
      for (const [service, close] of mine) {
        close();
        mine.delete(service);
        this.#log(slot, service, 'stopped following');
      }
      this.#follows.delete(peer);
    };
  }

  /** Subscriptions the workers hold now. */
  count(): number {
    let count = 0;
    for (const mine of this.#follows.values()) count += mine.size;
    return count;
  }

  #log(slot: number, service: string, what: string): void {
    const subscriptions = this.count();
    this.#logger.info({ worker: slot, service_name: service, log_subscriptions: subscriptions }, `log stream: worker ${slot} ${what} ${service} (${subscriptions} subscription${subscriptions === 1 ? '' : 's'} open)`);
  }
}
