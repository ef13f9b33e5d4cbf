// Pure supervision policy: backoff with jitter and cap, restart decisions, start limit.
import { describe, expect, it } from 'vitest';
import { computeBackoffMs, isCleanExit, shouldRestart, StartLimit } from '../../../../gateway/supervisor/policy.ts';

describe('computeBackoffMs', () => {
  const policy = { backoffInitialMs: 100, backoffMaxMs: 1_000 };

  it.each([
    [0, 50, 100],
    [1, 100, 200],
    [2, 200, 400],
    [3, 400, 800],
    [4, 500, 1_000],
    [40, 500, 1_000],
  ])('attempt %i lies between %i and %i ms (exponential, capped, jittered)', (attempt, low, high) => {
    expect(computeBackoffMs(policy, attempt, () => 0)).toBe(low);
    expect(computeBackoffMs(policy, attempt, () => 1)).toBe(high);
    const sampled = computeBackoffMs(policy, attempt);
    expect(sampled).toBeGreaterThanOrEqual(low);
    expect(sampled).toBeLessThanOrEqual(high);
  });
});

describe('shouldRestart', () => {
  const crash = { code: 1, signal: null, duringStart: false };
  const clean = { code: 0, signal: null, duringStart: false };
  const killed = { code: null, signal: 'SIGKILL', duringStart: false };
  const failedStart = { code: 0, signal: null, duringStart: true };

  it.each([
    ['always', crash, true],
    ['always', clean, true],
    ['on-failure', crash, true],
    ['on-failure', killed, true],
    ['on-failure', clean, false],
    ['on-failure', failedStart, true],
    ['never', crash, false],
    ['never', failedStart, false],
  ] as const)('policy %s restarts %o: %s', (policy, exit, expected) => {
    expect(shouldRestart(policy, exit)).toBe(expected);
  });

  it('treats a start that never became ready as unclean even with code 0', () => {
    expect(isCleanExit(failedStart)).toBe(false);
  });
});

describe('StartLimit', () => {
  it('is exceeded after burst starts inside the window and forgets starts that left it', () => {
    const limit = new StartLimit(3, 1_000);
    for (const at of [0, 100, 200]) limit.record(at);
    expect(limit.exceeded(300)).toBe(true);
    expect(limit.exceeded(1_050)).toBe(false);
    expect(limit.count(1_150)).toBe(1);
  });

  it('is cleared by reset (an admin start)', () => {
    const limit = new StartLimit(1, 1_000);
    limit.record(0);
    expect(limit.exceeded(1)).toBe(true);
    limit.reset();
    expect(limit.exceeded(1)).toBe(false);
  });
});
