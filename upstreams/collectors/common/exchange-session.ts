// One exchange as a collector sees it: the ccxt instance, created and its
// markets loaded on first use and again after a failure, with backoff. An id
// ccxt does not know is reported once as skipped and never retried.
import type { Exchange } from 'ccxt';
import { Backoff } from './backoff.ts';
import { createExchange, UnknownExchangeError, type ExchangeOptions } from './exchanges.ts';
import type { CollectorStatus } from './status.ts';

export type SessionState = { ready: true; exchange: Exchange } | { ready: false; retryInMs: number | null };

export class ExchangeSession {
  readonly id: string;
  readonly backoff: Backoff;
  readonly #options: ExchangeOptions;
  readonly #status: CollectorStatus;
  #exchange: Exchange | null = null;
  #marketsLoaded = false;
  #unknown = false;

  constructor(id: string, options: ExchangeOptions, status: CollectorStatus, backoff: Backoff) {
    this.id = id;
    this.#options = options;
    this.#status = status;
    this.backoff = backoff;
  }

  /** The exchange with its markets, or how long to wait (null: never, the id is unknown). */
  async open(): Promise<SessionState> {
    if (this.#unknown) return { ready: false, retryInMs: null };
    try {
      if (!this.#exchange) {
        const exchange = createExchange(this.id, this.#options);
        // ccxt needs an http.Agent loaded before it opens a plain ws:// socket (EXCHANGE_URLS to a local server).
        if (this.#options.websocket) await (exchange as unknown as { loadHttpProxyAgent?: () => Promise<unknown> }).loadHttpProxyAgent?.();
        this.#exchange = exchange;
      }
      if (!this.#marketsLoaded) {
        // A reload every time until one succeeds: ccxt keeps a failed load's rejected
        // promise and hands it to every later plain loadMarkets(), so a collector whose
        // exchange failed once at start would have stayed in backoff until restarted.
        await this.#exchange.loadMarkets(true);
        this.#marketsLoaded = true;
      }
      return { ready: true, exchange: this.#exchange };
    } catch (error) {
      if (error instanceof UnknownExchangeError) {
        this.#unknown = true;
        this.#status.skip(this.id, error.message);
        return { ready: false, retryInMs: null };
      }
      return { ready: false, retryInMs: this.failed(error) };
    }
  }

  /** Records an exchange-wide failure; returns the backoff delay. */
  failed(error: unknown): number {
    const delay = this.backoff.fail();
    this.#status.fail(this.id, error, delay);
    return delay;
  }

  succeeded(): void {
    this.backoff.succeed();
    this.#status.ok(this.id);
  }

  /** Whether ccxt lists the symbol on this exchange (after open()). */
  lists(symbol: string): boolean {
    return Boolean(this.#exchange?.markets?.[symbol]);
  }

  async close(): Promise<void> {
    await this.#exchange?.close?.().catch(() => {});
  }
}
