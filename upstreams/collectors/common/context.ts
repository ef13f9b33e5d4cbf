// What every collector loop receives.
import type { Logger } from 'pino';
import type { CollectorSettings } from './settings.ts';
import type { CollectorStatus } from './status.ts';
import type { UpstreamClient } from './upstream-client.ts';

export interface CollectorContext {
  settings: CollectorSettings;
  logger: Logger;
  status: CollectorStatus;
  client: UpstreamClient;
  /** Aborted on SIGTERM: every loop ends at its next pause. */
  signal: AbortSignal;
  /** Milliseconds between two requests to one exchange (tests); else ccxt's own. */
  rateLimitMs?: number | undefined;
}

/** Runs `work` on every item with at most `limit` at a time. */
export async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  });
  await Promise.all(runners);
}
