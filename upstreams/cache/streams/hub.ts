// Fan-out of stream sources to subscribers: one running source per id,
// reference-counted, with outage notices (CACHE_ERROR) delivered once per outage
// to every subscriber, and recovery without any client action.
import type { CacheStore } from '../store/types.ts';
import type { StreamSource } from './sources.ts';

export interface StreamSubscriber {
  onData(payload: unknown): void;
  onError(error: Error): void;
}

interface RunningSource {
  subscribers: Set<StreamSubscriber>;
  stop: Promise<() => Promise<void>>;
  latest: { payload: unknown } | null;
  failing: boolean;
}

export class StreamHub {
  #sources = new Map<string, RunningSource>();
  #unlisten: () => void;

  constructor(store: CacheStore) {
    this.#unlisten = store.onStatus((status, error) => {
      for (const source of this.#sources.values()) {
        if (status === 'down') this.#fail(source, error ?? new Error('cache unavailable'));
        else source.failing = false;
      }
    });
  }

  /** Number of running sources (for tests and stats). */
  get size(): number {
    return this.#sources.size;
  }

  async attach(spec: StreamSource, subscriber: StreamSubscriber): Promise<() => void> {
    let source = this.#sources.get(spec.id);
    if (!source) {
      const created: RunningSource = { subscribers: new Set([subscriber]), latest: null, failing: false, stop: Promise.resolve(async () => {}) };
      source = created;
      this.#sources.set(spec.id, created);
      created.stop = spec.start({
        emit: (payload) => {
          created.failing = false;
          if (spec.replayLatest) created.latest = { payload };
          for (const each of [...created.subscribers]) each.onData(payload);
        },
        fail: (error) => this.#fail(created, error),
        recover: () => void (created.failing = false),
      });
      try {
        await created.stop;
      } catch (error) {
        this.#sources.delete(spec.id);
        throw error;
      }
    } else {
      source.subscribers.add(subscriber);
      if (source.latest) subscriber.onData(source.latest.payload);
    }
    const running = source;
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      running.subscribers.delete(subscriber);
      if (running.subscribers.size > 0 || this.#sources.get(spec.id) !== running) return;
      this.#sources.delete(spec.id);
      void running.stop.then((stop) => stop()).catch(() => {});
    };
  }

  close(): void {
    this.#unlisten();
    for (const source of this.#sources.values()) void source.stop.then((stop) => stop()).catch(() => {});
    this.#sources.clear();
  }

  #fail(source: RunningSource, error: Error) {
    if (source.failing) return;
    source.failing = true;
    for (const subscriber of [...source.subscribers]) subscriber.onError(error);
  }
}
