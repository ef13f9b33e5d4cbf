// When to look at a certificate again: pure arithmetic, so the policy is tested
// without clocks. Renewal 30 days before expiry (Let's Encrypt's advice for 90-day
// certificates); failures back off exponentially from one minute to six hours, so a
// CA that is down is not hammered and Let's Encrypt's failed-validation limit
// (5 per hostname per hour) is not hit by our own retries.
export const SCHEDULE_DEFAULTS = {
  renewBeforeMs: 30 * 24 * 3600_000,
  retryInitialMs: 60_000,
  retryMaxMs: 6 * 3600_000,
} as const;

export interface ScheduleOptions {
  renewBeforeMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
}

/** Node's timers overflow above 2^31-1 ms (24.8 days): longer waits are taken in steps. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The moment a certificate valid until `notAfter` is due for renewal. */
export function renewalDueAt(notAfter: number, options: ScheduleOptions): number {
  return notAfter - options.renewBeforeMs;
}

/**
 * Delay before the next look at a certificate just checked or issued. A window
 * longer than the certificate's life would ask again at once, forever: the delay is
 * never shorter than the first retry delay.
 */
export function delayUntilRenewal(notAfter: number, now: number, options: ScheduleOptions): number {
  return Math.max(renewalDueAt(notAfter, options) - now, options.retryInitialMs);
}

/** Delay after the n-th failure in a row (1-based): initial · 2^(n-1), capped. */
export function retryDelay(failures: number, options: ScheduleOptions): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  return Math.min(options.retryInitialMs * 2 ** exponent, options.retryMaxMs);
}
