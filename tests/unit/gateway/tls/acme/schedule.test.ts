import { describe, expect, it } from 'vitest';
import { delayUntilRenewal, renewalDueAt, retryDelay, SCHEDULE_DEFAULTS } from '../../../../../gateway/tls/acme/schedule.ts';

const DAY = 24 * 3600_000;

describe('renewal schedule', () => {
  it('renews 30 days before expiry by default', () => {
    expect(renewalDueAt(100 * DAY, SCHEDULE_DEFAULTS)).toBe(70 * DAY);
    expect(delayUntilRenewal(90 * DAY, 0, SCHEDULE_DEFAULTS)).toBe(60 * DAY);
  });

  it('never asks again at once, even when the window is longer than the certificate lives', () => {
    expect(delayUntilRenewal(10 * DAY, 0, SCHEDULE_DEFAULTS)).toBe(SCHEDULE_DEFAULTS.retryInitialMs);
  });

  it.each([
    [1, 60_000],
    [2, 120_000],
    [3, 240_000],
    [8, 7_680_000],
    [9, 15_360_000],
    [10, 6 * 3600_000],
    [50, 6 * 3600_000],
    [10_000, 6 * 3600_000],
  ])('after %i failures in a row waits %i ms (doubling, capped at 6 h)', (failures, delay) => {
    expect(retryDelay(failures, SCHEDULE_DEFAULTS)).toBe(delay);
  });
});
