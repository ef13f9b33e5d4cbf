// The measurement plan: every target × workload, interleaved round-robin so slow
// drifts of a shared machine hit every row alike, repeated and reduced to
// medians; then a rate-limited run at half the gateway's peak for added p99.
import { median, spread } from '../lib/stats.ts';
import { runWrk, type LoadResult } from '../lib/wrk.ts';
import type { Target } from './participants.ts';

export const WORKLOADS = {
  small: { path: '/small', method: 'GET', bodyBytes: 0 },
  body64k: { path: '/echo', method: 'POST', bodyBytes: 64 * 1024 },
} as const;
export type WorkloadName = keyof typeof WORKLOADS;

export interface PlanOptions {
  durationS: number;
  repeats: number;
  connections: number;
  warmupS: number;
  /** Connections of the rate-limited run (each paced by a think time). */
  halfLoadConnections: number;
  log: (line: string) => void;
}

export interface Summary {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** (max-min)/median of req/s over the repeats. */
  rpsSpread: number;
  runs: LoadResult[];
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

function summarise(runs: LoadResult[]): Summary {
  return {
    rps: median(runs.map((run) => run.rps)),
    p50Ms: median(runs.map((run) => run.p50Ms)),
    p99Ms: median(runs.map((run) => run.p99Ms)),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    rpsSpread: spread(runs.map((run) => run.rps)),
    runs,
  };
}

/** Closed-loop peak throughput: as fast as `connections` keep-alive connections go. */
export async function measurePeak(targets: Target[], options: PlanOptions): Promise<PeakResults> {
  const runs = new Map<string, LoadResult[]>();
  const workloads = Object.keys(WORKLOADS) as WorkloadName[];
  for (const workload of workloads) {
    for (const target of targets) {
      // JIT warm-up and connection pools; discarded.
      await runWrk({ ...specFor(target, workload), connections: options.connections, durationS: options.warmupS });
    }
  }
  for (let repeat = 1; repeat <= options.repeats; repeat += 1) {
    for (const workload of workloads) {
      for (const target of targets) {
        const result = await runWrk({ ...specFor(target, workload), connections: options.connections, durationS: options.durationS });
        const key = `${target.name}\u0000${workload}`;
        runs.set(key, [...(runs.get(key) ?? []), result]);
        options.log(
          `  run ${repeat}/${options.repeats} ${workload.padEnd(7)} ${target.name.padEnd(26)} ${Math.round(result.rps).toString().padStart(6)} req/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms${result.errors ? `  ${result.errors} errors` : ''}`,
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
 * answer; a short pilot per target measures its cycle so the think time lands
 * each target on the same rate. Latency is timed per request, from send to answer.
 */
export async function measureAtRate(targets: Target[], targetRps: number, options: PlanOptions): Promise<HalfLoadResults> {
  const connections = options.halfLoadConnections;
  const idealCycleMs = (connections * 1000) / targetRps;
  const think = new Map<string, number>();
  for (const target of targets) {
    const pilot = await runWrk({ ...specFor(target, 'small'), connections, durationS: 2, thinkMs: idealCycleMs });
    const latencyMs = pilot.rps > 0 ? Math.max(0, (connections * 1000) / pilot.rps - idealCycleMs) : 0;
    think.set(target.name, Math.max(0, idealCycleMs - latencyMs));
  }
  const runs = new Map<string, LoadResult[]>();
  for (let repeat = 1; repeat <= options.repeats; repeat += 1) {
    for (const target of targets) {
      const result = await runWrk({ ...specFor(target, 'small'), connections, durationS: options.durationS, thinkMs: think.get(target.name)! });
      runs.set(target.name, [...(runs.get(target.name) ?? []), result]);
      options.log(
        `  run ${repeat}/${options.repeats} @${Math.round(targetRps)}/s ${target.name.padEnd(26)} achieved ${Math.round(result.rps)} req/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms`,
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
