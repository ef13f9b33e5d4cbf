import { describe, expect, it } from 'vitest';
import type { HalfLoadResults, MeasuredRun, PeakResults, Summary } from '../../../bench/gateway/measure.ts';
import { AA_ROW, JWT_LOG_OFF_ROW } from '../../../bench/gateway/participants.ts';
import { computeRatios, decideTail, renderHalfLoadTable, renderRatios, roundsAbove } from '../../../bench/gateway/report.ts';
import { median } from '../../../bench/lib/stats.ts';

const row = (rps: number, cpuUsPerRequest: number, errors = 0): Summary => ({
  rps,
  cpuUsPerRequest,
  p50Ms: 1,
  p99Ms: 2,
  errors,
  rpsSpread: 0,
  runs: [],
});

function peakWith(overrides: Partial<Record<string, Summary>> = {}): PeakResults {
  const names = ['direct', 'nginx', 'fastify-http-proxy', 'http-proxy-middleware', 'node:http bare proxy', 'gateway', 'gateway+JWT', 'gateway (access log off)'];
  const defaults: Record<string, Summary> = {
    direct: row(20_000, 40),
    nginx: row(10_000, 30),
    'fastify-http-proxy': row(4_000, 200),
    'http-proxy-middleware': row(3_000, 300),
    'node:http bare proxy': row(6_000, 150),
    gateway: row(5_000, 180),
    'gateway+JWT': row(4_750, 190),
    'gateway (access log off)': row(5_500, 170),
  };
  const peak: PeakResults = {};
  for (const name of names) {
    const summary = overrides[name] ?? defaults[name]!;
    peak[name] = { small: summary, body64k: summary };
  }
  return peak;
}

/** A half-load result at 2 500 req/s: each row's p99 (direct at 1 ms unless given) and, where given, its windows. */
function halfLoad(p99s: Record<string, number>, windows: Record<string, MeasuredRun[]> = {}): HalfLoadResults {
  const rows: HalfLoadResults['rows'] = {};
  for (const [name, p99Ms] of Object.entries({ direct: 1.0, ...p99s })) {
    rows[name] = { ...row(2_500, 150), p99Ms, achievedRps: 2_500, thinkMs: 10, ...(windows[name] ? { runs: windows[name] } : {}) };
  }
  return { targetRps: 2_500, rows };
}

/** Paced windows of 2 s at 2 500 req/s with these p99s, one per round. */
const windows = (...p99s: number[]): MeasuredRun[] =>
  p99s.map((p99Ms) => ({ requests: 5_000, durationS: 2, rps: 2_500, bytesRead: 0, errors: 0, non2xx: 0, p50Ms: 1, p90Ms: 2, p99Ms, maxMs: p99Ms, cpuUsPerRequest: 150 }));

const find = (ratios: ReturnType<typeof computeRatios>, name: string) => ratios.find((ratio) => ratio.name === name);

describe('computeRatios', () => {
  it('judges the goals: ≥ 0.5× nginx, ahead of each peer, auth under 10 %', () => {
    const ratios = computeRatios(peakWith(), null);
    expect(find(ratios, 'gateway / nginx req/s (small)')).toMatchObject({ value: 0.5, met: true });
    expect(find(ratios, 'gateway / fastify-http-proxy req/s (small)')).toMatchObject({ value: 1.25, met: true });
    expect(find(ratios, 'auth cost, 1 − (gateway+JWT / gateway) (small)')?.value).toBeCloseTo(0.05);
    expect(find(ratios, 'auth cost, 1 − (gateway+JWT / gateway) (small)')?.met).toBe(true);
  });

  it('gives no verdict from a row that saw errors (a 401 storm is not "fast auth")', () => {
    const ratios = computeRatios(peakWith({ 'gateway+JWT': row(50_000, 20, 1234) }), null);
    const auth = find(ratios, 'auth cost, 1 − (gateway+JWT / gateway) (small)');
    expect(auth?.value).toBeNaN();
    expect(auth?.met).toBeNull();
  });

  it('reports added p99 at half load as gateway minus direct', () => {
    const half = halfLoad({ gateway: 1.8 });
    const added = computeRatios(peakWith(), half).find((ratio) => ratio.name.startsWith('added p99') && ratio.name.endsWith('gateway − direct'));
    expect(added?.value).toBeCloseTo(0.8);
    expect(added?.met).toBe(true);
  });

  it('judges the headline CPU goal: gateway+JWT per request at most fastify-http-proxy\'s (issue 14 item 2)', () => {
    const name = 'CPU per request, gateway+JWT (access log on) / fastify-http-proxy (small)';
    expect(find(computeRatios(peakWith({ 'gateway+JWT': row(4_750, 190) }), null), name)).toMatchObject({ value: 0.95, met: true, goal: 'goal ≤ 1.0×' });
    expect(find(computeRatios(peakWith({ 'gateway+JWT': row(4_750, 220) }), null), name)).toMatchObject({ value: 1.1, met: false });
    expect(find(computeRatios(peakWith({ 'gateway+JWT': row(4_750, 190, 7) }), null), name)?.met).toBeNull();
  });

  it.each([
    [2.4, 2.0, true],
    [3.5, 2.0, false],
  ])('judges the tail goal: gateway+JWT added p99 %f ms vs the bare proxy\'s %f ms, within +1 ms → %s (issue 14 item 3)', (jwtP99, bareP99, met) => {
    const half = halfLoad({ 'node:http bare proxy': bareP99, 'gateway+JWT': jwtP99 });
    const ratio = find(computeRatios(peakWith(), half), 'added p99 at ½ gateway peak, gateway+JWT − node:http bare proxy');
    expect(ratio?.value).toBeCloseTo(jwtP99 - bareP99);
    expect(ratio?.met).toBe(met);
  });

  it.each([
    // JWT − bare, A/A − bare → verdict: the sixth pass's runs (−3.22 with A/A −4.69) and its paced check (+0.39 with A/A −0.21).
    [-3.22, -4.69, null, /not decided: A\/A -4\.69 ms/],
    [2.5, 3.0, null, /not decided: A\/A \+3\.00 ms/],
    [0.39, -0.21, true, /\bmet\b/],
    [1.8, 0.3, false, /NOT met/],
    // Clear of the margin by more than the A/A gap: decided even with a gap over 1 ms.
    [7.0, 1.5, false, /NOT met/],
    [-6.0, -1.5, true, /\bmet\b/],
    // Within the gap of the margin: no verdict, even with a gap under 1 ms.
    [0.8, 0.5, null, /not decided: A\/A \+0\.50 ms/],
  ])('decides the tail goal only when it clears the 1 ms margin by more than the A/A gap: JWT %f, A/A %f → %s', (overBare, aa, met, verdict) => {
    const bare = 10;
    const half = halfLoad({ 'node:http bare proxy': bare, [AA_ROW]: bare + aa, 'gateway+JWT': bare + overBare });
    const ratios = computeRatios(peakWith(), half);
    const name = 'added p99 at ½ gateway peak, gateway+JWT − node:http bare proxy';
    expect(find(ratios, name)?.met).toBe(met);
    const line = renderRatios(ratios).split('\n').find((entry) => entry.includes(name));
    expect(line).toMatch(verdict);
  });

  it('decides the tail goal only when its windows agree too: a close A/A pair alone is one lucky draw', () => {
    const name = 'added p99 at ½ gateway peak, gateway+JWT − node:http bare proxy';
    const judge = (bare: number[], jwt: number[], aa: number[]) => {
      const half = halfLoad(
        { 'node:http bare proxy': median(bare), 'gateway+JWT': median(jwt), [AA_ROW]: median(aa) },
        { 'node:http bare proxy': windows(...bare), 'gateway+JWT': windows(...jwt), [AA_ROW]: windows(...aa) },
      );
      const ratios = computeRatios(peakWith(), half);
      return { ratio: find(ratios, name), printed: renderRatios(ratios) };
    };
    // Medians 0.5 ms apart and an A/A gap of 0.2 ms, but windows scattered over tens of ms: no verdict.
    const scattered = judge([3, 40, 5, 22, 8, 60, 4, 9, 31, 6], [4, 9, 52, 5, 35, 7, 20, 3, 70, 9], [5, 38, 3, 25, 9, 55, 8.4, 6, 30, 4]);
    expect(scattered.ratio?.value).toBeCloseTo(0.5);
    expect(scattered.ratio?.met).toBeNull();
    expect(scattered.printed).toMatch(/not decided: 95 % interval -\d+\.\d+ … \+\d+\.\d+ ms, A\/A \+0\.20 ms/);
    expect(scattered.printed).toMatch(/95 % interval over rounds \(bootstrap\): gateway\+JWT − node:http bare proxy.*\| +-\d+\.\d+ … \+\d+\.\d+ ms \| resolution/);
    expect(scattered.printed).toMatch(/95 % interval over rounds \(bootstrap\): node:http bare proxy #2 \(A\/A\) − node:http bare proxy/);
    // The same medians with steady windows: decided.
    const steady = judge([3.0, 3.1, 2.9, 3.0, 3.2, 3.0, 2.9, 3.1], [3.5, 3.6, 3.4, 3.5, 3.5, 3.6, 3.4, 3.5], [3.2, 3.1, 3.3, 3.2, 3.1, 3.2, 3.3, 3.2]);
    expect(steady.ratio?.met).toBe(true);
    // Steadily 2 ms over the bare proxy: NOT met.
    const over = judge([3.0, 3.1, 2.9, 3.0, 3.2, 3.0, 2.9, 3.1], [5.0, 5.1, 4.9, 5.0, 5.2, 5.0, 4.9, 5.1], [3.0, 3.1, 2.9, 3.0, 3.2, 3.0, 2.9, 3.1]);
    expect(over.ratio?.met).toBe(false);
  });

  it.each([
    // JWT − bare, A/A − bare, interval → verdict
    [0.5, 0.2, { low: -0.3, high: 0.9 }, true],
    [0.5, 0.2, { low: -0.3, high: 1.4 }, null],
    [2.0, 0.2, { low: 1.2, high: 2.8 }, false],
    [2.0, 0.2, { low: 0.6, high: 2.8 }, null],
    [2.0, 0.2, null, false],
  ])('decideTail(%f, A/A %f, %o) → %s', (overBare, aa, interval, met) => {
    expect(decideTail(overBare, aa, interval)).toBe(met);
  });

  it('reports the A/A control (a second bare proxy) next to the goals, with no verdict of its own', () => {
    const peak = peakWith();
    peak[AA_ROW] = { small: row(6_000, 165), body64k: row(6_000, 165) };
    const half = halfLoad({ 'node:http bare proxy': 9.0, [AA_ROW]: 15.5 });
    const ratios = computeRatios(peak, half);
    expect(find(ratios, `A/A: CPU per request, ${AA_ROW} / node:http bare proxy (small)`)).toMatchObject({ value: 1.1, met: null, goal: 'resolution' });
    const tail = find(ratios, `A/A: added p99 at ½ gateway peak, ${AA_ROW} − node:http bare proxy`);
    expect(tail).toMatchObject({ met: null, goal: 'resolution' });
    expect(tail?.value).toBeCloseTo(6.5);
    expect(renderRatios(ratios)).toMatch(/A\/A: added p99 .*\+6\.5\d* ms/);
  });

  it('counts, round by round, in how many rounds a row\'s window p99 was above the bare proxy\'s', () => {
    const bare = windows(4, 50, 7, 8);
    const half = halfLoad({ 'node:http bare proxy': 7.5, [AA_ROW]: 7.5, 'gateway+JWT': 20 }, { 'node:http bare proxy': bare, [AA_ROW]: windows(5, 3, 9, 6), 'gateway+JWT': windows(24, 51, 5, 20) });
    const printed = renderRatios(computeRatios(peakWith(), half));
    expect(printed).toMatch(/rounds where gateway\+JWT's p99 > node:http bare proxy's .*\| +3 of 4 \|/);
    expect(printed).toMatch(/rounds where node:http bare proxy #2 \(A\/A\)'s p99 > node:http bare proxy's .*\| +2 of 4 \|/);
    // Unequal lengths pair the rounds both ran; a row without windows gets no line.
    expect(roundsAbove(windows(9, 9, 9), bare)).toEqual({ above: 2, of: 3 });
    expect(roundsAbove(undefined, bare)).toBeNull();
    expect(roundsAbove([], bare)).toBeNull();
  });

  it('splits the JWT row\'s tail: the same row with the access log off, over the bare proxy, and its rounds', () => {
    const half = halfLoad({ 'node:http bare proxy': 8.0, 'gateway+JWT': 20.0, [JWT_LOG_OFF_ROW]: 7.25 }, { 'node:http bare proxy': windows(8, 8, 8), [JWT_LOG_OFF_ROW]: windows(9, 7, 6) });
    const ratios = computeRatios(peakWith(), half);
    const logOff = find(ratios, `added p99 at ½ gateway peak, ${JWT_LOG_OFF_ROW} − node:http bare proxy`);
    expect(logOff).toMatchObject({ goal: 'info', met: null });
    expect(logOff?.value).toBeCloseTo(-0.75);
    const printed = renderRatios(ratios);
    expect(printed).toMatch(/gateway\+JWT \(access log off\) − node:http bare proxy +\| +-0\.75 ms \|/);
    expect(printed).toMatch(/rounds where gateway\+JWT \(access log off\)'s p99 > node:http bare proxy's .*\| +1 of 3 \|/);
    // A run without that row prints no line for it.
    expect(computeRatios(peakWith(), halfLoad({ 'node:http bare proxy': 8.0 })).some((ratio) => ratio.name.includes(JWT_LOG_OFF_ROW))).toBe(false);
  });

  it('leaves the A/A lines out when the run has no second bare proxy', () => {
    expect(computeRatios(peakWith(), null).some((ratio) => ratio.name.startsWith('A/A'))).toBe(false);
  });
});

describe('renderHalfLoadTable', () => {
  it('shows each row\'s added p99 and what a paced request cost it', () => {
    const paced = (p99Ms: number, cpuUsPerRequest: number | null) => ({ ...row(2_400, 0), p99Ms, cpuUsPerRequest, achievedRps: 2_400, thinkMs: 50 });
    const table = renderHalfLoadTable({ targetRps: 2_400, rows: { direct: paced(1.25, 40), gateway: paced(6.5, 250.4), 'gateway+JWT': paced(7, null) } });
    expect(table).toMatch(/\| gateway +\| +2,400 \| +1\.00 \| +6\.50 \| +5\.25 \| +250 \|/);
    expect(table).toMatch(/\| gateway\+JWT +\|.*\| +5\.75 \| +— \|/);
    expect(table.split('\n')[0]).toContain('CPU µs/req');
  });
});
