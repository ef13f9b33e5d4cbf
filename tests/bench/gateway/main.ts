// Gateway proxy benchmark (issue 2 §9, issue 3 Performance): direct, nginx, the
// Node peers and this gateway (with and without a JWT, with and without its
// access log) against one stub upstream, in one run; prints the table and the
// goal ratios and saves the raw numbers. `npm run bench` runs this.
import { describePinning, planPinning } from '../lib/cpu-pinning.ts';
import { describeMachine, formatMachine } from '../lib/machine.ts';
import { readBooleanFlag, readFlag, readNumberFlag } from '../lib/options.ts';
import { priorityNote } from '../lib/priority.ts';
import { chooseLoadGenerator } from '../lib/load.ts';
import { requireBinary } from '../lib/requirements.ts';
import { saveResults } from '../lib/results.ts';
import { measureAtRate, measurePeak, type HalfLoadResults, type PlanOptions } from './measure.ts';
import { AA_ROW, DIRECT_ROW, JWT_LOG_OFF_ROW, startParticipants } from './participants.ts';
import { profileGateway } from './profile.ts';
import { computeRatios, renderHalfLoadTable, renderPeakTable, renderRatios } from './report.ts';

export const GATEWAY_BENCH_DEFAULTS = {
  durationS: 4,
  repeats: 3,
  connections: 32,
  warmupS: 1,
  halfLoadConnections: 8,
  /**
   * Each row's p99 at half load is the median of this many paced windows, the rows
   * rotating between them. A window's p99 swings with spells when the whole machine
   * is slower (the rows' CPU per request up to twice the usual for tens of seconds,
   * docs/benchmarks.md, seventh pass): many short windows let such a spell spoil few
   * of them. With 9 of 4 s, two identical bare proxies landed 3–18 ms apart; with 15
   * of 2 s, 0.46–3.46 ms in three full runs.
   */
  halfLoadRepeats: 15,
  halfLoadWindowS: 2,
} as const;

/** The run's plan from the command line (--quick, --duration, --repeats, --connections, --half-load-repeats, --half-load-window). */
export function readPlan(args: string[]): PlanOptions {
  const quick = readBooleanFlag(args, 'quick');
  return {
    durationS: readNumberFlag(args, 'duration', quick ? 2 : GATEWAY_BENCH_DEFAULTS.durationS, 1),
    repeats: readNumberFlag(args, 'repeats', quick ? 1 : GATEWAY_BENCH_DEFAULTS.repeats, 1),
    connections: readNumberFlag(args, 'connections', GATEWAY_BENCH_DEFAULTS.connections, 1),
    warmupS: GATEWAY_BENCH_DEFAULTS.warmupS,
    halfLoadConnections: GATEWAY_BENCH_DEFAULTS.halfLoadConnections,
    halfLoadRepeats: readNumberFlag(args, 'half-load-repeats', quick ? 1 : GATEWAY_BENCH_DEFAULTS.halfLoadRepeats, 1),
    halfLoadWindowS: readNumberFlag(args, 'half-load-window', GATEWAY_BENCH_DEFAULTS.halfLoadWindowS, 1),
    log: (line) => process.stdout.write(`${line}\n`),
  };
}

export async function main(args: string[]): Promise<number> {
  const loadGenerator = chooseLoadGenerator();
  requireBinary('nginx', 'nginx');
  const plan = readPlan(args);
  if (readBooleanFlag(args, 'profile')) return profileGateway(plan);

  const machine = describeMachine();
  plan.log(`gateway proxy benchmark — ${formatMachine(machine)}`);
  plan.log(`${loadGenerator === 'wrk' ? 'wrk -t1' : 'autocannon (wrk missing; Node load generator, lower ceilings)'} -c${plan.connections}, ${plan.durationS} s × ${plan.repeats} per row and workload (medians), keep-alive, ${priorityNote}\n`);
  const only = readFlag(args, 'rows')?.split(',').map((name) => name.trim()).filter(Boolean);
  const participants = await startParticipants({ engineOptions: readBooleanFlag(args, 'engines'), only });
  try {
    for (const { name, reason } of participants.missing) plan.log(`  ! ${name} not measured: ${reason}`);
    const peak = await measurePeak(participants.targets, plan);
    const gatewayPeak = peak.gateway?.small?.rps;
    let half: HalfLoadResults | null = null;
    const pinning = planPinning();
    if (gatewayPeak) {
      // The bare node:http proxy shows which part of the added latency any Node proxy pays here.
      // The access-log-off rows separate the log writes' share of the tail from the rest.
      // The A/A row (a second bare proxy) shows how far apart two identical rows land in this run.
      const names = new Set([DIRECT_ROW, 'nginx', 'node:http bare proxy', AA_ROW, 'gateway', 'gateway+JWT', 'gateway (access log off)', JWT_LOG_OFF_ROW]);
      plan.log(`\nlatency at half the gateway's small-GET peak (${Math.round(gatewayPeak / 2)} req/s, paced connections with a ~50 ms cycle each, ${plan.halfLoadRepeats} rounds of ${plan.halfLoadWindowS} s windows; ${describePinning(pinning)})`);
      half = await measureAtRate(participants.targets.filter((t) => names.has(t.name)), gatewayPeak / 2, plan, pinning);
    }
    const ratios = computeRatios(peak, half);
    const output = [
      '',
      `Peak throughput (median of ${plan.repeats}; "!" = errors or non-2xx seen)`,
      renderPeakTable(peak),
      ...(half ? ['', 'Added latency at half load', renderHalfLoadTable(half)] : []),
      '',
      renderRatios(ratios),
      ...participants.missing.map(({ name, reason }) => `missing: ${name}: ${reason}`),
    ].join('\n');
    plan.log(output);
    const file = await saveResults('gateway', { machine, plan: { ...plan, log: undefined }, pinning: describePinning(pinning), peak, half, ratios, missing: participants.missing });
    plan.log(`\nraw results: ${file}`);
    return participants.missing.length > 0 ? 1 : 0;
  } finally {
    await participants.stopAll();
  }
}
