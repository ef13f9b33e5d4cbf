// CPU time a process tree has used (user + system, from /proc), so a row can be
// reported as CPU µs per request: on a shared 2-core machine wall-clock req/s
// moves with whatever else runs, while the CPU a proxy spends per request moves
// much less. Linux only; elsewhere it reports null and the column shows "—".
import { readdirSync, readFileSync } from 'node:fs';
import { processTree } from './cpu-pinning.ts';

const TICKS_PER_SECOND = 100; // USER_HZ; fixed at 100 on Linux x86/arm

interface ProcStat {
  comm: string;
  ticks: number;
}

/** A /proc stat file (a process's or a thread's): its name and CPU ticks. */
function readStatFile(path: string): ProcStat | null {
  try {
    const text = readFileSync(path, 'utf8');
    // Fields after the ")" of the command name: state ppid ... utime(14) stime(15).
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { comm: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

function readStat(pid: number): ProcStat | null {
  return readStatFile(`/proc/${pid}/stat`);
}

/** Milliseconds of CPU used so far by `root` and its live descendants (nginx workers), or null off Linux. */
export function readTreeCpuMs(root: number): number | null {
  if (readStat(root) === null) return null;
  const ticks = processTree(root).reduce((sum, pid) => sum + (readStat(pid)?.ticks ?? 0), 0);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** Where a process tree's CPU went, by kind of thread (milliseconds). */
export interface ThreadCpuMs {
  /** The processes' main threads: Node's event loop (nginx: its only thread). */
  eventLoop: number;
  /** V8's platform threads: parallel and concurrent GC, background compilation. */
  v8: number;
  /** Everything else: libuv's pool, the inspector's signal thread, … */
  other: number;
}

export type ThreadKind = keyof ThreadCpuMs;

/**
 * A thread's kind from /proc: its tid equals its process's pid for the main
 * thread; Node names V8's platform threads "V8Worker" and "DelayedTaskSche(duler)"
 * (the kernel keeps 15 characters of a name).
 */
export function classifyThread(pid: number, tid: number, comm: string): ThreadKind {
  if (tid === pid) return 'eventLoop';
  if (comm.startsWith('V8') || comm.startsWith('DelayedTaskSch')) return 'v8';
  return 'other';
}

/**
 * CPU used so far by the live threads of `root` and its descendants, split by
 * ThreadKind, or null off Linux. The gateway's tail shows in the split: a row
 * whose GC and compiler threads take more competes with its own event loop on
 * a small machine. Threads that have exited are not counted: compare windows
 * of a steady process, not its start-up.
 */
export function readTreeThreadCpuMs(root: number): ThreadCpuMs | null {
  if (readStat(root) === null) return null;
  const ticks: ThreadCpuMs = { eventLoop: 0, v8: 0, other: 0 };
  for (const pid of processTree(root)) {
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      // Gone meanwhile.
    }
    for (const name of tids) {
      const tid = Number(name);
      const thread = readStatFile(`/proc/${pid}/task/${tid}/stat`);
      if (thread) ticks[classifyThread(pid, tid, thread.comm)] += thread.ticks;
    }
  }
  const toMs = (value: number) => (value * 1000) / TICKS_PER_SECOND;
  return { eventLoop: toMs(ticks.eventLoop), v8: toMs(ticks.v8), other: toMs(ticks.other) };
}
