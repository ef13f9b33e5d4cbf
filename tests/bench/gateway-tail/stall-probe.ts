// Loaded into each proxy under test with `node --import` (the gateway's workers
// inherit it). Writes, as JSON lines to BENCH_STALL_DIR/<pid>.jsonl, every
// event-loop block of at least BLOCK_MS with the CPU time the process used
// during it, and every GC pause of at least GC_MS with its kind. A block whose
// CPU time is near its wall time was the process working (JavaScript, GC,
// compilation); one with little CPU was the process waiting for a core (the
// machine's other processes, or the host). Nothing is written for the
// gateway's primary, which serves no requests.
import cluster from 'node:cluster';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerformanceObserver, performance, constants } from 'node:perf_hooks';

const TICK_MS = 2;
const BLOCK_MS = 5;
const GC_MS = 1;
const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
};

const dir = process.env.BENCH_STALL_DIR;
const isGatewayPrimary = cluster.isPrimary && /gateway[\\/]main\.ts$/.test(process.argv[1] ?? '');
if (dir && !isGatewayPrimary) {
  const file = join(dir, `${process.pid}.jsonl`);
  const origin = performance.timeOrigin;
  const record = (event: Record<string, unknown>) => appendFileSync(file, `${JSON.stringify({ pid: process.pid, ppid: process.ppid, ...event })}\n`);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.duration < GC_MS) continue;
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind ?? -1;
      record({ type: 'gc', at: origin + entry.startTime, ms: entry.duration, kind: GC_KINDS[kind] ?? String(kind) });
    }
  }).observe({ entryTypes: ['gc'] });
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage();
    const wall = now - last;
    if (wall - TICK_MS >= BLOCK_MS) {
      const cpuMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
      record({ type: 'block', at: origin + last, ms: wall - TICK_MS, cpuMs });
    }
    last = now;
    lastCpu = cpu;
  }, TICK_MS).unref();
}
