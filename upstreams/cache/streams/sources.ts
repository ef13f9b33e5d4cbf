// Stream sources: where updates come from. A channel source listens to Redis
// pub/sub where fullon publishes; a poll source does change-detecting reads.
// Either way, the hub runs ONE source per id however many sockets listen.
import type { CacheStore } from '../store/types.ts';

export interface SourceSink {
  emit(payload: unknown): void;
  fail(error: Error): void;
  /** A read or message succeeded again after a failure. */
  recover(): void;
}

export interface StreamSource {
  /** Identity of the source; subscribers of the same id share it. */
  id: string;
  /** The most recent payload, replayed to late joiners (poll sources only). */
  replayLatest: boolean;
  start(sink: SourceSink): Promise<() => Promise<void>>;
}

/**
 * Pub/sub source; `transform` runs once per message (not once per subscriber).
 * Sources that transform the same channel differently need their own `variant`,
 * since subscribers of one id share one transform's payloads.
 */
export function channelSource(store: CacheStore, channel: string, transform: (message: string) => Promise<unknown> | unknown, variant?: string): StreamSource {
  return {
    id: variant ? `channel:${variant}:${channel}` : `channel:${channel}`,
    replayLatest: false,
    async start(sink) {
      return store.subscribe(channel, (message) => {
        void (async () => {
          try {
            const payload = await transform(message);
            if (payload !== undefined) sink.emit(payload);
          } catch (error) {
            sink.fail(error as Error);
          }
        })();
      });
    },
  };
}

export interface PollRead {
  /** What is compared with the previous read to detect a change. */
  fingerprint: string;
  payload: unknown;
}

/** Change-detecting reads every intervalMs; emits the first read and every change. */
export function pollSource(id: string, intervalMs: number, read: () => Promise<PollRead>): StreamSource {
  return {
    id: `poll:${id}`,
    replayLatest: true,
    async start(sink) {
      let last: string | undefined;
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      const tick = async () => {
        try {
          const result = await read();
          sink.recover();
          if (result.fingerprint !== last) {
            last = result.fingerprint;
            sink.emit(result.payload);
          }
        } catch (error) {
          sink.fail(error as Error);
        }
        // Scheduled after the read completes, so a slow store never stacks reads.
        if (!stopped) timer = setTimeout(tick, intervalMs);
      };
      void tick();
      return async () => {
        stopped = true;
        clearTimeout(timer);
      };
    },
  };
}
