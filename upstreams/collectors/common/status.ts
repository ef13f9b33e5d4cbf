// What a collector reports about itself (GET /health of its process, shown by
// GET /api/v1/services/{name}/status as `collector`): what it follows, which
// exchanges/symbols/accounts fail and when they are retried. Errors are logged
// at the 1st, 2nd, 4th, 8th... consecutive failure of a target and when the
// message changes, so an unreachable exchange never floods the log.
import type { Logger } from 'pino';

export type TargetState = 'ok' | 'backoff' | 'skipped';

export interface TargetStatus {
  state: TargetState;
  error: string | null;
  failures: number;
  retry_at: string | null;
  last_ok: string | null;
}

export interface CollectorReport {
  status: 'ok';
  service: string;
  state: 'idle' | 'collecting' | 'degraded';
  following: number;
  targets: Record<string, TargetStatus>;
  counters: Record<string, number>;
  /** The most recent failure of any target, kept after it recovered. */
  last_error: { target: string; error: string; at: string } | null;
  started_at: string;
}

const MAX_TARGETS_SHOWN = 1_000;
/** Targets that are the upstreams a collector writes to, not an exchange it reads. */
const UPSTREAM_TARGETS: ReadonlySet<string> = new Set(['orm_api', 'cache_api', 'ohlcv_api']);

/** What the collector's metrics read at scrape time (collectors/common/metrics.ts). */
export interface CollectorMetricsView {
  following: number;
  /** Failures so far by source: an exchange id or an upstream name. */
  errors: ReadonlyMap<string, number>;
  /** Per exchange (and symbol, '' for the exchange itself or an account): seconds since the last success, or since start when none yet. Skipped targets are left out. */
  lag: Array<{ exchange: string; symbol: string; seconds: number }>;
}

export class CollectorStatus {
  readonly #service: string;
  readonly #logger: Logger;
  readonly #targets = new Map<string, TargetStatus>();
  readonly #counters: Record<string, number> = {};
  readonly #startedAt = new Date().toISOString();
  #lastError: { target: string; error: string; at: string } | null = null;
  readonly #errorsBySource = new Map<string, number>();
  /** Targets that are not "<exchange> <symbol>" (accounts): their exchange, for the metrics' labels. */
  readonly #exchangeOf = new Map<string, string>();
  following = 0;

  constructor(service: string, logger: Logger) {
    this.#service = service;
    this.#logger = logger;
  }

  ok(target: string): void {
    const previous = this.#targets.get(target);
    if (previous && previous.state !== 'ok') this.#logger.info({ target, after_failures: previous.failures }, 'recovered');
    this.#targets.set(target, { state: 'ok', error: null, failures: 0, retry_at: null, last_ok: new Date().toISOString() });
  }

  /** A failure that will be retried after `retryInMs`. */
  fail(target: string, error: unknown, retryInMs: number): void {
    const previous = this.#targets.get(target);
    const message = describeError(error);
    this.count('errors');
    const source = this.#sourceOf(target);
    this.#errorsBySource.set(source, (this.#errorsBySource.get(source) ?? 0) + 1);
    this.#lastError = { target, error: message, at: new Date().toISOString() };
    const failures = (previous?.state === 'backoff' ? previous.failures : 0) + 1;
    this.#targets.set(target, { state: 'backoff', error: message, failures, retry_at: new Date(Date.now() + retryInMs).toISOString(), last_ok: previous?.last_ok ?? null });
    if (isPowerOfTwo(failures) || previous?.error !== message) this.#logger.warn({ target, error: message, failures, retry_in_ms: retryInMs }, 'collection failed; backing off');
  }

  /** A target that cannot be collected at all (unknown exchange or symbol): logged once. */
  skip(target: string, reason: string): void {
    const previous = this.#targets.get(target);
    if (previous?.state !== 'skipped' || previous.error !== reason) this.#logger.warn({ target, reason }, 'skipped');
    this.#targets.set(target, { state: 'skipped', error: reason, failures: 0, retry_at: null, last_ok: previous?.last_ok ?? null });
  }

  /** Drops targets no longer followed. */
  retain(keep: (target: string) => boolean): void {
    for (const target of [...this.#targets.keys()]) if (!keep(target)) this.#targets.delete(target);
    for (const target of [...this.#exchangeOf.keys()]) if (!keep(target)) this.#exchangeOf.delete(target);
  }

  /** Names the exchange of a target that does not start with it (an account, "account <id>"). */
  setExchange(target: string, exchange: string): void {
    this.#exchangeOf.set(target, exchange);
  }

  metricsView(now = Date.now()): CollectorMetricsView {
    const started = Date.parse(this.#startedAt);
    const lag: CollectorMetricsView['lag'] = [];
    for (const [target, status] of this.#targets) {
      if (status.state === 'skipped' || UPSTREAM_TARGETS.has(target)) continue;
      const mapped = this.#exchangeOf.get(target);
      const space = target.indexOf(' ');
      const exchange = mapped ?? (space === -1 ? target : target.slice(0, space));
      const symbol = mapped !== undefined || space === -1 ? '' : target.slice(space + 1);
      const since = status.last_ok ? Date.parse(status.last_ok) : started;
      lag.push({ exchange, symbol, seconds: Math.max(0, (now - since) / 1000) });
    }
    return { following: this.following, errors: this.#errorsBySource, lag };
  }

  #sourceOf(target: string): string {
    if (UPSTREAM_TARGETS.has(target)) return target;
    const mapped = this.#exchangeOf.get(target);
    if (mapped !== undefined) return mapped;
    const space = target.indexOf(' ');
    return space === -1 ? target : target.slice(0, space);
  }

  count(counter: string, by = 1): void {
    this.#counters[counter] = (this.#counters[counter] ?? 0) + by;
  }

  target(name: string): TargetStatus | undefined {
    return this.#targets.get(name);
  }

  report(): CollectorReport {
    const entries = [...this.#targets.entries()];
    const failing = entries.some(([, t]) => t.state !== 'ok');
    // Failing targets first, so a capped list still shows what is wrong.
    entries.sort(([, a], [, b]) => Number(a.state === 'ok') - Number(b.state === 'ok'));
    return {
      status: 'ok',
      service: this.#service,
      state: this.following === 0 ? 'idle' : failing ? 'degraded' : 'collecting',
      following: this.following,
      targets: Object.fromEntries(entries.slice(0, MAX_TARGETS_SHOWN)),
      counters: { ...this.#counters },
      last_error: this.#lastError,
      started_at: this.#startedAt,
    };
  }
}

/** A short, secret-free description: the error class and its first line, capped. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const first = (error.message.split('\n', 1)[0] ?? '').replace(/(apiKey|secret|password|signature|API-Sign|API-Key)[^,;]*/gi, '$1=[redacted]');
    return `${error.name}: ${first}`.slice(0, 300);
  }
  return String(error).slice(0, 300);
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}
