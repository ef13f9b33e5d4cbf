// The measurement plan: every target × workload, interleaved round-robin so slow
// drifts of a shared machine hit every row alike, repeated and reduced to
// medians; then a rate-limited run at half the gateway's peak for added p99.
import { pinEventLoops, pinProcess, type PinningPlan } from '../lib/cpu-pinning.ts';
import { readTreeCpuMs } from '../lib/cpu-usage.ts';
import { median, spread } from '../lib/stats.ts';
import { runLoad as runWrk } from '../lib/load.ts';
import type { LoadResult, LoadSpec } from '../lib/wrk.ts';
import { DIRECT_ROW, type Target } from './participants.ts';

export const WORKLOADS = {
  small: { path: '/small', method: 'GET', bodyBytes: 0 },
  body64k: { path: '/echo', method: 'POST', bodyBytes: 64 * 1024 },
} as const;
export type WorkloadName = keyof typeof WORKLOADS;

/** Each paced connection sends one request per this many ms. */
const PACED_CYCLE_MS = 50;
const PILOT_S = 2;
const PILOTS = 3;
/** Paced runs open their connections, then wait this long before the first request (wrk.ts warmupS). */
export const PACED_WARMUP_S = 1;
const MAX_PILOT_CORRECTION = 0.2;

export interface PlanOptions {
  durationS: number;
  repeats: number;
  connections: number;
  warmupS: number;
  /** Fewest connections of the rate-limited run (each paced by a think time); more at higher rates. */
  halfLoadConnections: number;
  /** Rounds of the rate-limited run (its p99 is noisier than the peak's req/s). */
  halfLoadRepeats: number;
  /** Seconds of each rate-limited window (after its connections' warm-up). */
  halfLoadWindowS: number;
  log: (line: string) => void;
}

/** A wrk result plus the CPU the target's process spent per request during it. */
export interface MeasuredRun extends LoadResult {
  cpuUsPerRequest: number | null;
}

export interface Summary {
  rps: number;
  /** Median CPU µs per request of the row's own process (the proxy, or the stub for "direct"). */
  cpuUsPerRequest: number | null;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** (max-min)/median of req/s over the repeats. */
  rpsSpread: number;
  runs: MeasuredRun[];
}

export type PeakResults = Record<string, Partial<Record<WorkloadName, Summary>>>;

export interface HalfLoadResults {
  targetRps: number;
  rows: Record<string, Summary & { achievedRps: number; thinkMs: number }>;
}

function specFor(target: Target, workload: WorkloadName) {
  const w = WORKLOADS[workload];
  return { url: `${target.base}${w.path}`, method: w.method, bodyBytes: w.bodyBytes || undefined, headers: target.headers };
}

async function measure(target: Target, spec: LoadSpec): Promise<MeasuredRun> {
  const before = target.pid === undefined ? null : readTreeCpuMs(target.pid);
  const result = await runWrk(spec);
  const after = target.pid === undefined ? null : readTreeCpuMs(target.pid);
  const cpuUsPerRequest = before !== null && after !== null && result.requests > 0 ? ((after - before) * 1000) / result.requests : null;
  return { ...result, cpuUsPerRequest };
}

function summarise(runs: MeasuredRun[]): Summary {
  const cpu = runs.map((run) => run.cpuUsPerRequest).filter((value): value is number => value !== null);
  return {
    rps: median(runs.map((run) => run.rps)),
    cpuUsPerRequest: cpu.length > 0 ? median(cpu) : null,
    p50Ms: median(runs.map((run) => run.p50Ms)),
    p99Ms: median(runs.map((run) => run.p99Ms)),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    rpsSpread: spread(runs.map((run) => run.rps)),
    runs,
  };
}

/**
 * The rows in the order of round `repeat` (from 1): as listed, then reversed, and
 * so on, so no row always runs right after the same one or always first. The
 * machine's slow spells last seconds: in a fixed order they fell on the same
 * neighbours round after round.
 */
export function roundOrder<T>(rows: readonly T[], repeat: number): readonly T[] {
  return repeat % 2 === 1 ? rows : [...rows].reverse();
}

/** Closed-loop peak throughput: as fast as `connections` keep-alive connections go. */
export async function measurePeak(targets: Target[], options: PlanOptions): Promise<PeakResults> {
  const runs = new Map<string, MeasuredRun[]>();
  const workloads = Object.keys(WORKLOADS) as WorkloadName[];
  for (const workload of workloads) {
    for (const target of targets) {
      // JIT warm-up and connection pools; discarded.
      await runWrk({ ...specFor(target, workload), connections: options.connections, durationS: options.warmupS });
    }
  }
  for (let repeat = 1; repeat <= options.repeats; repeat += 1) {
    for (const workload of workloads) {
      for (const target of roundOrder(targets, repeat)) {
        const result = await measure(target, { ...specFor(target, workload), connections: options.connections, durationS: options.durationS });
        const key = `${target.name}\u0000${workload}`;
        runs.set(key, [...(runs.get(key) ?? []), result]);
        options.log(
          `  run ${repeat}/${options.repeats} ${workload.padEnd(7)} ${target.name.padEnd(26)} ${Math.round(result.rps).toString().padStart(6)} req/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms  ${result.cpuUsPerRequest === null ? '' : `${Math.round(result.cpuUsPerRequest)} µs CPU/req`}${result.errors ? `  ${result.errors} errors` : ''}`,
        );
      }
    }
  }
  const results: PeakResults = {};
  for (const target of targets) {
    results[target.name] = {};
    for (const workload of workloads) results[target.name]![workload] = summarise(runs.get(`${target.name}\u0000${workload}`) ?? []);
  }
  return results;
}

/**
 * Latency at a fixed request rate (small GETs). wrk has no open-loop mode (wrk2
 * is not packaged in Debian), so each connection waits a think time after every
 * answer. With enough connections for a ~50 ms cycle, answer latency (a few ms)
 * barely moves the rate; pilots per target remove most of the rest, the
 * correction capped so noisy pilots cannot double the rate, and every window
 * corrects its row's think time from the rate it achieved (the median over the
 * row's windows so far). Latency is timed per request, from send to answer.
 */
export async function measureAtRate(targets: Target[], targetRps: number, options: PlanOptions, pinning: PinningPlan | null = null): Promise<HalfLoadResults> {
  if (pinning) pinRows(targets, pinning, 'apart');
  try {
    return await pacedRuns(targets, targetRps, options);
  } finally {
    if (pinning) pinRows(targets, pinning, 'together');
  }
}

/**
 * The paced runs' placement (cpu-pinning.ts): 'apart' puts the proxies' event loops
 * on the serving CPU and the load side (this process, so the wrk it spawns, and the
 * stub behind the "direct" row) on the others; 'together' gives everything every CPU again.
 */
export function pinRows(targets: Target[], pinning: PinningPlan, placement: 'apart' | 'together'): void {
  const loadCpus = placement === 'apart' ? pinning.loadCpus : pinning.allCpus;
  const serveCpus = placement === 'apart' ? pinning.serveCpus : pinning.allCpus;
  pinProcess(pinning, process.pid, loadCpus);
  for (const target of targets) {
    if (target.pid === undefined) continue;
    if (target.name === DIRECT_ROW) pinProcess(pinning, target.pid, loadCpus);
    else pinEventLoops(pinning, target.pid, serveCpus);
  }
}

/** What a paced run's cycle took beyond its think time (answer latency, mostly), from the rate it achieved. */
export function cycleOverheadMs(connections: number, achievedRps: number, thinkMs: number): number {
  return achievedRps > 0 ? (connections * 1000) / achievedRps - thinkMs : Number.NaN;
}

/**
 * The think time that makes a connection's cycle `cycleMs` long, given the overheads its
 * runs showed so far: their median (one stalled window cannot swing it), never negative,
 * and capped so noisy pilots cannot double the rate.
 */
export function thinkForRate(cycleMs: number, overheadsMs: readonly number[]): number {
  const known = overheadsMs.filter((value) => Number.isFinite(value));
  const overhead = known.length > 0 ? median(known) : 0;
  return cycleMs - Math.min(Math.max(overhead, 0), cycleMs * MAX_PILOT_CORRECTION);
}

async function pacedRuns(targets: Target[], targetRps: number, options: PlanOptions): Promise<HalfLoadResults> {
  const connections = Math.min(512, Math.max(options.halfLoadConnections, Math.round(targetRps * (PACED_CYCLE_MS / 1000))));
  const cycleMs = (connections * 1000) / targetRps;
  const think = new Map<string, number>();
  for (const target of targets) {
    // The median of three pilots: one stall in a single pilot made its row's think
    // time short, and that row then ran ~5 % above the others' rate.
    const pilotOverheads: number[] = [];
    for (let pilot = 0; pilot < PILOTS; pilot += 1) {
      const result = await runWrk({ ...specFor(target, 'small'), connections, durationS: PILOT_S, thinkMs: cycleMs, warmupS: PACED_WARMUP_S });
      pilotOverheads.push(cycleOverheadMs(connections, result.rps, cycleMs));
    }
    think.set(target.name, thinkForRate(cycleMs, pilotOverheads));
  }
  const runs = new Map<string, MeasuredRun[]>();
  const overheads = new Map<string, number[]>();
  for (let repeat = 1; repeat <= options.halfLoadRepeats; repeat += 1) {
    for (const target of roundOrder(targets, repeat)) {
      const thinkMs = think.get(target.name)!;
      const result = await measure(target, { ...specFor(target, 'small'), connections, durationS: options.halfLoadWindowS, thinkMs, warmupS: PACED_WARMUP_S });
      runs.set(target.name, [...(runs.get(target.name) ?? []), result]);
      // The pilots can misjudge a row: in the 13:16 UTC run of 2026-12-01 they put the
      // gateway rows 13–17 % above the rate and the bare proxy at it, so the rows were
      // compared at different loads. Each window corrects the row's think time.
      const seen = [...(overheads.get(target.name) ?? []), cycleOverheadMs(connections, result.rps, thinkMs)];
      overheads.set(target.name, seen);
      think.set(target.name, thinkForRate(cycleMs, seen));
      options.log(
        `  run ${repeat}/${options.halfLoadRepeats} @${Math.round(targetRps)}/s ${target.name.padEnd(26)} achieved ${Math.round(result.rps)} req/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms`,
      );
    }
  }
  const rows: HalfLoadResults['rows'] = {};
  for (const target of targets) {
    const summary = summarise(runs.get(target.name) ?? []);
    rows[target.name] = { ...summary, achievedRps: summary.rps, thinkMs: think.get(target.name)! };
  }
  return { targetRps, rows };
}
