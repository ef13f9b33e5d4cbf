// The gateway benchmark's plan from its flags: the paced windows' length and rounds,
// and a clear refusal of values that cannot be a plan.
import { describe, expect, it } from 'vitest';
import { GATEWAY_BENCH_DEFAULTS, readPlan } from '../../../bench/gateway/main.ts';

describe('readPlan', () => {
  it('takes 15 rounds of 2 s paced windows by default, and other values from the flags', () => {
    expect(readPlan([])).toMatchObject({ halfLoadRepeats: GATEWAY_BENCH_DEFAULTS.halfLoadRepeats, halfLoadWindowS: GATEWAY_BENCH_DEFAULTS.halfLoadWindowS });
    expect(GATEWAY_BENCH_DEFAULTS).toMatchObject({ halfLoadRepeats: 15, halfLoadWindowS: 2 });
    expect(readPlan(['--half-load-window=4', '--half-load-repeats=9'])).toMatchObject({ halfLoadRepeats: 9, halfLoadWindowS: 4 });
  });

  it.each(['--half-load-window=0', '--half-load-window=abc', '--half-load-window=-2', '--half-load-repeats=0'])('refuses %s with the flag named', (flag) => {
    expect(() => readPlan([flag])).toThrow(new RegExp(`${flag.slice(0, flag.indexOf('='))} must be a number ≥ 1`));
  });
});
