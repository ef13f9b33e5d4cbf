// Turns the medians into the printed table and the goal ratios of issue 2 §9
// (≥ 0.5× nginx, ahead of every Node peer, ≤ 1 ms added p99 at half load) and
// issue 3 (auth costs < 10 % of throughput).
import { bootstrapInterval, BOOTSTRAP_DEFAULTS, type Interval } from '../lib/bootstrap.ts';
import { median } from '../lib/stats.ts';
import { formatMs, formatPercent, formatRate, formatRatio, renderTable } from '../lib/table.ts';
import type { HalfLoadResults, PeakResults, Summary } from './measure.ts';
import { AA_ROW, DIRECT_ROW, JWT_LOG_OFF_ROW } from './participants.ts';

export const ROW_ORDER = [
  DIRECT_ROW,
  'nginx',
  'nginx, 2 workers',
  'fastify-http-proxy',
  'http-proxy-middleware',
  'node:http bare proxy',
  AA_ROW,
  'option: http-proxy-3 fetch + undici',
  'option: undici dispatch',
  'gateway',
  'gateway+JWT',
  'gateway+JWT (baseline tree)',
  'gateway, 2 workers',
  'gateway (access log off)',
  JWT_LOG_OFF_ROW,
];
const PEERS = ['fastify-http-proxy', 'http-proxy-middleware'];

export interface Ratio {
  name: string;
  value: number;
  goal: string;
  met: boolean | null;
  /** Printed instead of met / NOT met when the run cannot decide the goal (it landed within the A/A gap of the margin). */
  undecided?: string;
  /** Printed instead of the value (a count, say). */
  display?: string;
}

/** The tail goal's margin over the bare proxy (issue 14 item 3). */
const TAIL_MARGIN_MS = 1;

/**
 * The tail goal's verdict. A run's difference is one draw of a noisy quantity, so it
 * must clear the margin by more than chance could move it, judged two ways:
 * - the A/A gap (two identical bare proxies): what the run's placement and timing
 *   alone made of two equal rows;
 * - the bootstrap interval of the difference over the run's rounds: how far its own
 *   windows let it move. The A/A gap alone is one draw as well: a run whose A/A pair
 *   landed close by luck would otherwise decide on windows scattered over tens of ms.
 * met only when both put it within the margin, NOT met only when both put it over;
 * in between there is no verdict (null). A run without the A/A row or without enough
 * rounds decides on what it has.
 */
export function decideTail(overBareMs: number, aaMs: number, interval: Interval | null = null): boolean | null {
  if (!Number.isFinite(overBareMs)) return null;
  const resolution = Number.isFinite(aaMs) ? Math.abs(aaMs) : 0;
  if (overBareMs + resolution <= TAIL_MARGIN_MS && (interval === null || interval.high <= TAIL_MARGIN_MS)) return true;
  if (overBareMs - resolution > TAIL_MARGIN_MS && (interval === null || interval.low > TAIL_MARGIN_MS)) return false;
  return null;
}

/**
 * The interval of (row's p99 − baseline's p99), each the median of its paced windows,
 * over rounds resampled whole (bootstrap.ts); null without enough paired windows.
 */
export function tailInterval(runs: ReadonlyArray<{ p99Ms: number }> | undefined, baseline: ReadonlyArray<{ p99Ms: number }> | undefined): Interval | null {
  if (!runs || !baseline) return null;
  const rounds = Math.min(runs.length, baseline.length);
  return bootstrapInterval(rounds, (picked) => median(picked.map((round) => runs[round]!.p99Ms)) - median(picked.map((round) => baseline[round]!.p99Ms)));
}

const CONFIDENCE_PCT = Math.round(BOOTSTRAP_DEFAULTS.confidence * 100);
const signedMs = (value: number) => `${value >= 0 ? '+' : ''}${formatMs(value)}`;
const formatInterval = (interval: Interval) => `${signedMs(interval.low)} … ${signedMs(interval.high)} ms`;

export function renderPeakTable(peak: PeakResults): string {
  const cells = (summary: Summary | undefined) =>
    summary
      ? [
          formatRate(summary.rps) + (summary.errors ? ' !' : ''),
          formatMs(summary.p50Ms),
          formatMs(summary.p99Ms),
          summary.cpuUsPerRequest === null ? '—' : String(Math.round(summary.cpuUsPerRequest)),
        ]
      : ['—', '—', '—', '—'];
  const rows = ROW_ORDER.filter((name) => peak[name]).map((name) => [name, ...cells(peak[name]!.small), ...cells(peak[name]!.body64k)]);
  return renderTable(
    ['row', 'small req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', '64 KiB req/s', 'p50 ms', 'p99 ms', 'CPU µs/req'],
    rows,
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
}

/**
 * The half-load table. CPU µs/req is what a paced request costs (about twice its
 * cost at peak: each answer is its own wake-up); at this rate p99 is mostly
 * queueing, so it moves with that column.
 */
export function renderHalfLoadTable(half: HalfLoadResults): string {
  const direct = half.rows[DIRECT_ROW];
  const rows = ROW_ORDER.filter((name) => half.rows[name]).map((name) => {
    const row = half.rows[name]!;
    const cpu = row.cpuUsPerRequest === null ? '—' : String(Math.round(row.cpuUsPerRequest));
    if (row.errors > 0) return [name, formatRate(row.achievedRps), '!', '!', 'errors', cpu];
    const added = direct ? row.p99Ms - direct.p99Ms : Number.NaN;
    return [name, formatRate(row.achievedRps), formatMs(row.p50Ms), formatMs(row.p99Ms), name === DIRECT_ROW ? '' : formatMs(added), cpu];
  });
  return renderTable(['row (small GET)', 'req/s', 'p50 ms', 'p99 ms', 'added p99 ms', 'CPU µs/req'], rows, ['left', 'right', 'right', 'right', 'right', 'right']);
}

export function computeRatios(peak: PeakResults, half: HalfLoadResults | null): Ratio[] {
  const ratios: Ratio[] = [];
  // A row that saw errors or non-2xx answers measured something else: no ratio from it.
  const valid = (name: string, workload: 'small' | 'body64k') => {
    const summary = peak[name]?.[workload];
    return summary && summary.errors === 0 ? summary : undefined;
  };
  const rps = (name: string, workload: 'small' | 'body64k') => valid(name, workload)?.rps ?? Number.NaN;
  const cpu = (name: string, workload: 'small' | 'body64k') => valid(name, workload)?.cpuUsPerRequest ?? Number.NaN;
  for (const workload of ['small', 'body64k'] as const) {
    const label = workload === 'small' ? 'small' : '64 KiB';
    const vsNginx = rps('gateway', workload) / rps('nginx', workload);
    ratios.push({ name: `gateway / nginx req/s (${label})`, value: vsNginx, goal: '≥ 0.50×', met: Number.isFinite(vsNginx) ? vsNginx >= 0.5 : null });
    // Same comparison from CPU spent per request: steadier than req/s on a shared machine.
    const cpuVsNginx = cpu('nginx', workload) / cpu('gateway', workload);
    ratios.push({ name: `gateway / nginx by CPU per request (${label})`, value: cpuVsNginx, goal: 'info', met: null });
    for (const peer of PEERS) {
      const vsPeer = rps('gateway', workload) / rps(peer, workload);
      ratios.push({ name: `gateway / ${peer} req/s (${label})`, value: vsPeer, goal: '> 1.00×', met: Number.isFinite(vsPeer) ? vsPeer > 1 : null });
      const cpuVsPeer = cpu(peer, workload) / cpu('gateway', workload);
      ratios.push({ name: `gateway / ${peer} by CPU per request (${label})`, value: cpuVsPeer, goal: 'info', met: null });
    }
    const vsBare = rps('gateway', workload) / rps('node:http bare proxy', workload);
    ratios.push({ name: `gateway / node:http bare proxy req/s (${label})`, value: vsBare, goal: 'info', met: null });
    const authCost = 1 - rps('gateway+JWT', workload) / rps('gateway', workload);
    ratios.push({ name: `auth cost, 1 − (gateway+JWT / gateway) (${label})`, value: authCost, goal: '< 10 %', met: Number.isFinite(authCost) ? authCost < 0.1 : null });
    // The throughput a CPU-bound proxy loses when each request costs this much more CPU.
    const authCpuCost = 1 - cpu('gateway', workload) / cpu('gateway+JWT', workload);
    ratios.push({ name: `auth cost by CPU per request (${label})`, value: authCpuCost, goal: 'info', met: null });
    const logCost = 1 - rps('gateway', workload) / rps('gateway (access log off)', workload);
    ratios.push({ name: `access log cost, 1 − (gateway / log off) (${label})`, value: logCost, goal: 'info', met: null });
  }
  // Worker scaling (issue 14 item 5): the load generator and the stub share the cores,
  // so read it with CPU per request (docs/benchmarks.md has the arithmetic for a bigger host).
  for (const [pool, single] of [['gateway, 2 workers', 'gateway'], ['nginx, 2 workers', 'nginx']] as const) {
    const scaling = rps(pool, 'small') / rps(single, 'small');
    ratios.push({ name: `scaling, ${pool} / ${single} req/s (small)`, value: scaling, goal: 'info', met: null });
    const cpuPerRequest = cpu(pool, 'small') / cpu(single, 'small');
    ratios.push({ name: `CPU per request, ${pool} / ${single} (small)`, value: cpuPerRequest, goal: 'info', met: null });
  }
  // Issue 14 item 2, the headline: a small GET with a JWT and the access log on
  // costs no more CPU than @fastify/http-proxy's plain proxying, same run.
  const headlineCpu = cpu('gateway+JWT', 'small') / cpu('fastify-http-proxy', 'small');
  ratios.push({
    name: 'CPU per request, gateway+JWT (access log on) / fastify-http-proxy (small)',
    value: headlineCpu,
    goal: 'goal ≤ 1.0×',
    met: Number.isFinite(headlineCpu) ? headlineCpu <= 1 : null,
  });
  // The A/A control: two identical bare proxies. A goal ratio that lands closer to its
  // line than these two land to each other is within this run's noise.
  const aaCpu = cpu(AA_ROW, 'small') / cpu('node:http bare proxy', 'small');
  if (Number.isFinite(aaCpu)) ratios.push({ name: `A/A: CPU per request, ${AA_ROW} / node:http bare proxy (small)`, value: aaCpu, goal: 'resolution', met: null });
  if (half) {
    const direct = half.rows[DIRECT_ROW]?.p99Ms ?? Number.NaN;
    // Issue 14 item 3: at half the gateway's peak, what the gateway adds with a JWT
    // is within 1 ms of what any Node proxy adds here (the bare node:http proxy).
    const addedBy = (name: string) => {
      const row = half.rows[name];
      return row && row.errors === 0 ? row.p99Ms - direct : Number.NaN;
    };
    const overBare = addedBy('gateway+JWT') - addedBy('node:http bare proxy');
    const aaTail = addedBy(AA_ROW) - addedBy('node:http bare proxy');
    const bareRuns = half.rows['node:http bare proxy']?.runs;
    const interval = tailInterval(half.rows['gateway+JWT']?.runs, bareRuns);
    const verdict = decideTail(overBare, aaTail, interval);
    const why = [interval ? `${CONFIDENCE_PCT} % interval ${formatInterval(interval)}` : null, Number.isFinite(aaTail) ? `A/A ${signedMs(aaTail)} ms` : null].filter(Boolean).join(', ');
    ratios.push({
      name: 'added p99 at ½ gateway peak, gateway+JWT − node:http bare proxy',
      value: overBare,
      goal: 'goal +≤1 ms',
      met: verdict,
      ...(verdict === null && Number.isFinite(overBare) ? { undecided: `not decided: ${why}` } : {}),
    });
    // How far chance moved each difference in this run: the goal row's, and the A/A pair's (which should straddle 0).
    const aaInterval = tailInterval(half.rows[AA_ROW]?.runs, bareRuns);
    for (const [name, range] of [['gateway+JWT', interval], [AA_ROW, aaInterval]] as const) {
      if (range === null) continue;
      ratios.push({ name: `${CONFIDENCE_PCT} % interval over rounds (bootstrap): ${name} − node:http bare proxy, p99 at ½ gateway peak`, value: range.high - range.low, goal: 'resolution', met: null, display: formatInterval(range) });
    }
    if (Number.isFinite(aaTail)) ratios.push({ name: `A/A: added p99 at ½ gateway peak, ${AA_ROW} − node:http bare proxy`, value: aaTail, goal: 'resolution', met: null });
    // The same with the access log off: how much of the JWT row's tail its log lines make.
    const logOffOverBare = addedBy(JWT_LOG_OFF_ROW) - addedBy('node:http bare proxy');
    if (Number.isFinite(logOffOverBare)) {
      ratios.push({
        name: `added p99 at ½ gateway peak, ${JWT_LOG_OFF_ROW} − node:http bare proxy`,
        value: logOffOverBare,
        goal: 'info',
        met: null,
        display: `${signedMs(logOffOverBare)} ms`,
      });
    }
    // Round by round (the rows' windows of one round run back to back): a row that is
    // really slower loses most rounds; two identical rows split them about evenly.
    for (const name of ['gateway+JWT', JWT_LOG_OFF_ROW, AA_ROW]) {
      const rounds = roundsAbove(half.rows[name]?.runs, half.rows['node:http bare proxy']?.runs);
      if (rounds === null) continue;
      ratios.push({ name: `rounds where ${name}'s p99 > node:http bare proxy's (½ gateway peak)`, value: rounds.above / rounds.of, goal: 'info', met: null, display: `${rounds.above} of ${rounds.of}` });
    }
    for (const name of ['gateway', 'gateway+JWT', 'nginx', 'node:http bare proxy']) {
      const row = half.rows[name];
      if (!row || row.errors > 0) continue;
      const added = row.p99Ms - direct;
      const isGoal = name.startsWith('gateway');
      ratios.push({
        name: `added p99 at ${formatRate(half.targetRps)} req/s (½ gateway peak), ${name} − direct`,
        value: added,
        goal: isGoal ? '≤ 1 ms' : 'info',
        met: isGoal && Number.isFinite(added) ? added <= 1 : null,
      });
    }
  }
  return ratios;
}

/** In how many rounds the first row's window p99 was above the second's (windows paired by round). */
export function roundsAbove(runs: ReadonlyArray<{ p99Ms: number }> | undefined, baseline: ReadonlyArray<{ p99Ms: number }> | undefined): { above: number; of: number } | null {
  if (!runs || !baseline) return null;
  const of = Math.min(runs.length, baseline.length);
  if (of === 0) return null;
  let above = 0;
  for (let round = 0; round < of; round++) if (runs[round]!.p99Ms > baseline[round]!.p99Ms) above++;
  return { above, of };
}

export function renderRatios(ratios: Ratio[]): string {
  const rows = ratios.map((ratio) => {
    const isTail = ratio.name.startsWith('added p99') || ratio.name.startsWith('A/A: added p99');
    const value = ratio.display !== undefined
      ? ratio.display
      : isTail && (ratio.goal.startsWith('goal +') || ratio.goal === 'resolution')
      ? `${signedMs(ratio.value)} ms`
      : isTail
      ? `${formatMs(ratio.value)} ms`
      : ratio.name.includes('cost')
        ? formatPercent(ratio.value)
        : formatRatio(ratio.value);
    const verdict = ratio.undecided ?? (ratio.met === null ? '' : ratio.met ? 'met' : 'NOT met');
    return [ratio.name, value, ratio.goal, verdict];
  });
  return renderTable(['ratio', 'value', 'goal', ''], rows, ['left', 'right', 'left', 'left']);
}
