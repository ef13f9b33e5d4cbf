// Keeps one certificate per ACME domain in DATA_DIR/acme/certs/<domain>/: orders one
// at start when none usable is there, renews it 30 days before it expires (a timer,
// no restart), and after a failure retries with a capped exponential backoff while
// the old certificate stays in place. Runs once per gateway (the primary); the
// listeners learn about new certificates from the files alone.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { CertificateAuthority } from './certificate-authority.ts';
import { inspectCertificatePair, type CertificateInfo } from './certificate-info.ts';
import type { ChallengeStore } from './challenge-store.ts';
import { readCertificatePair, writeCertificatePair, type AcmePaths } from './files.ts';
import { delayUntilRenewal, MAX_TIMER_MS, renewalDueAt, retryDelay, SCHEDULE_DEFAULTS, type ScheduleOptions } from './schedule.ts';

export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: Timers = {
  set: (callback, ms) => setTimeout(callback, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface AcmeManagerOptions {
  domains: readonly string[];
  paths: AcmePaths;
  authority: CertificateAuthority;
  challenges: ChallengeStore;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Injected by tests (the renewal test moves "now" to just inside the window). */
  now?: () => number;
  schedule?: Partial<ScheduleOptions>;
  timers?: Timers;
}

export type CheckOutcome =
  | { domain: string; outcome: 'valid'; certificate: CertificateInfo; nextCheckAt: number }
  | { domain: string; outcome: 'issued'; certificate: CertificateInfo; nextCheckAt: number }
  | { domain: string; outcome: 'failed'; error: string; kept: CertificateInfo | null; nextCheckAt: number };

interface DomainState {
  timer: unknown;
  failures: number;
  running: Promise<CheckOutcome> | null;
}

export interface AcmeManagerEvents {
  /** Every finished check, whatever its outcome (tests wait on this instead of sleeping). */
  checked: [CheckOutcome];
}

export class AcmeManager extends EventEmitter<AcmeManagerEvents> {
  readonly #options: AcmeManagerOptions;
  readonly #schedule: ScheduleOptions;
  readonly #timers: Timers;
  readonly #now: () => number;
  readonly #states = new Map<string, DomainState>();
  #stopped = false;

  constructor(options: AcmeManagerOptions) {
    super();
    this.#options = options;
    this.#schedule = { ...SCHEDULE_DEFAULTS, ...options.schedule };
    this.#timers = options.timers ?? REAL_TIMERS;
    this.#now = options.now ?? Date.now;
    for (const domain of options.domains) this.#states.set(domain, { timer: null, failures: 0, running: null });
  }

  /** Checks every domain now (in the background); each then schedules its own next check. */
  start(): void {
    for (const domain of this.#states.keys()) void this.check(domain);
  }

  /** One check of one domain: keep, order, or back off. Single-flight per domain. */
  check(domain: string): Promise<CheckOutcome> {
    const state = this.#states.get(domain);
    if (!state) throw new Error(`${domain} is not an ACME domain`);
    if (state.running) return state.running;
    this.#timers.clear(state.timer);
    state.timer = null;
    state.running = this.#run(domain, state).finally(() => {
      state.running = null;
    });
    return state.running;
  }

  stop(): void {
    this.#stopped = true;
    for (const state of this.#states.values()) this.#timers.clear(state.timer);
  }

  async #run(domain: string, state: DomainState): Promise<CheckOutcome> {
    const current = await this.#current(domain);
    const now = this.#now();
    if (current && now < renewalDueAt(current.notAfter, this.#schedule)) {
      state.failures = 0;
      const outcome = { domain, outcome: 'valid' as const, certificate: current, nextCheckAt: this.#plan(domain, state, delayUntilRenewal(current.notAfter, now, this.#schedule)) };
      this.#options.logger.info({ capability: 'acme', domain, not_after: iso(current.notAfter), renew_at: iso(renewalDueAt(current.notAfter, this.#schedule)) }, `certificate for ${domain} valid until ${iso(current.notAfter)}; renewal from ${iso(renewalDueAt(current.notAfter, this.#schedule))}`);
      return this.#emit(outcome);
    }
    const reason = current ? `it expires ${iso(current.notAfter)}` : 'none usable yet';
    this.#options.logger.info({ capability: 'acme', domain }, `ordering a certificate for ${domain} (${reason})`);
    try {
      const pair = await this.#options.authority.obtain(domain, this.#options.challenges);
      const issued = inspectCertificatePair(domain, pair);
      if ('unusable' in issued) throw new Error(`the CA's certificate is unusable: ${issued.unusable}`);
      await writeCertificatePair(this.#options.paths, domain, pair);
      state.failures = 0;
      const after = this.#now();
      const nextCheckAt = this.#plan(domain, state, delayUntilRenewal(issued.notAfter, after, this.#schedule));
      this.#options.logger.info(
        { capability: 'acme', domain, serial: issued.serial, not_after: iso(issued.notAfter), renew_at: iso(renewalDueAt(issued.notAfter, this.#schedule)) },
        `certificate for ${domain} issued, valid until ${iso(issued.notAfter)}; renewal from ${iso(renewalDueAt(issued.notAfter, this.#schedule))}`,
      );
      return this.#emit({ domain, outcome: 'issued', certificate: issued, nextCheckAt });
    } catch (error) {
      state.failures += 1;
      const delay = retryDelay(state.failures, this.#schedule);
      const nextCheckAt = this.#plan(domain, state, delay);
      const why = describe(error);
      const stillValid = current !== null && current.notAfter > this.#now();
      const kept = stillValid ? `the old certificate stays (valid until ${iso(current.notAfter)})` : current ? 'the old certificate has expired' : 'no certificate for it yet';
      const fields = { capability: 'acme', domain, failures: state.failures, next_try_at: iso(nextCheckAt), err: why };
      const line = `certificate for ${domain} not obtained: ${why}; ${kept}; next try at ${iso(nextCheckAt)} (in ${humanDelay(delay)})`;
      if (stillValid) this.#options.logger.warn(fields, line);
      else this.#options.logger.error(fields, line);
      return this.#emit({ domain, outcome: 'failed', error: why, kept: stillValid ? current : null, nextCheckAt });
    }
  }

  /** The stored pair if it is usable for this domain; an unusable one is reported once and replaced. */
  async #current(domain: string): Promise<CertificateInfo | null> {
    const pair = await readCertificatePair(this.#options.paths, domain);
    if (!pair) return null;
    const info = inspectCertificatePair(domain, pair);
    if (!('unusable' in info)) return info;
    this.#options.logger.warn({ capability: 'acme', domain, reason: info.unusable }, `the stored certificate for ${domain} cannot be used (${info.unusable}); ordering a new one`);
    return null;
  }

  /** Arms the domain's next check; waits past Node's timer limit are taken in steps. */
  #plan(domain: string, state: DomainState, delayMs: number): number {
    const at = this.#now() + delayMs;
    if (!this.#stopped) state.timer = this.#timers.set(() => void this.check(domain), Math.min(delayMs, MAX_TIMER_MS));
    return at;
  }

  #emit(outcome: CheckOutcome): CheckOutcome {
    this.emit('checked', outcome);
    return outcome;
  }
}

/** One short line of what went wrong: the CA's problem detail, or the network error. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').slice(0, 300);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function humanDelay(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 2 * 3600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3600_000)} h`;
}
