// Keeps the proxy under test and the load generator off each other's core during
// the paced (half-load) runs. On these 2-core machines wrk, the stub upstream and
// the proxy otherwise share both cores, and the scheduler's placement, not the
// proxy, set much of the p99: two identical bare proxies landed up to 18 ms apart
// (the A/A row), and nginx had windows of 15 ms. With each proxy's main thread on
// CPU 0 and wrk, the stub and the benchmark itself on the others, the A/A rows
// landed 0.07–0.21 ms apart at 2 500 req/s (a third of that core), and nginx's p99
// stays near 2 ms. Near the core's limit the Node rows' own pauses still set the
// p99 (docs/benchmarks.md, sixth pass).
//
// Only a proxy's main thread (the event loop) is pinned: V8's GC and compiler
// threads and libuv's pool keep every core, as they would on a host with cores to
// spare. Pinning them all to the proxy's core made GC and tier-up compilation
// queue behind the event loop, an artefact no deployment has.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { findBinary } from './requirements.ts';

export interface PinningPlan {
  taskset: string;
  /** CPU list (taskset -c syntax) of the proxies' event loops. */
  serveCpus: string;
  /** CPU list of the load generator, the stub upstream and the benchmark. */
  loadCpus: string;
  /** Every CPU, to undo the plan. */
  allCpus: string;
}

/** A plan when taskset is installed and there are at least 2 CPUs; null otherwise (runs unpinned, and says so). */
export function planPinning(cpuCount = availableParallelism(), taskset = findBinary('taskset')): PinningPlan | null {
  if (!taskset || cpuCount < 2) return null;
  const last = cpuCount - 1;
  return { taskset, serveCpus: '0', loadCpus: last === 1 ? '1' : `1-${last}`, allCpus: `0-${last}` };
}

/** One line for the report: where each part ran. */
export function describePinning(plan: PinningPlan | null): string {
  if (!plan) return 'unpinned (taskset missing or a single CPU)';
  return `each proxy's event-loop threads on CPU ${plan.serveCpus}; wrk, the stub upstream and the benchmark on CPU ${plan.loadCpus}; GC, compiler and libuv threads unpinned`;
}

/** `pid` and every process below it (a gateway's primary and its workers, nginx's master and workers). */
export function processTree(pid: number, readChildren = childrenOf): number[] {
  const tree = [pid];
  for (const child of readChildren(pid)) tree.push(...processTree(child, readChildren));
  return tree;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The main thread of each process in `pid`'s tree onto `cpus` (its other threads keep theirs). */
export function pinEventLoops(plan: PinningPlan, pid: number, cpus: string): void {
  for (const member of processTree(pid)) setAffinity(plan, member, cpus, false);
}

/** Every thread of `pid` (not its children) onto `cpus`; what it spawns later inherits it. */
export function pinProcess(plan: PinningPlan, pid: number, cpus: string): void {
  setAffinity(plan, pid, cpus, true);
}

function setAffinity(plan: PinningPlan, pid: number, cpus: string, allThreads: boolean): void {
  try {
    execFileSync(plan.taskset, [...(allThreads ? ['-a'] : []), '-c', '-p', cpus, String(pid)], { stdio: 'ignore' });
  } catch {
    // The process may have exited between listing and pinning: nothing to pin.
  }
}
