// CPU time a process tree has used (user + system, from /proc), so a row can be
// reported as CPU µs per request: on a shared 2-core machine wall-clock req/s
// moves with whatever else runs, while the CPU a proxy spends per request moves
// much less. Linux only; elsewhere it reports null and the column shows "—".
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ; fixed at 100 on Linux x86/arm

interface ProcStat {
  ppid: number;
  ticks: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" of the command name: state ppid ... utime(14) stime(15).
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** Milliseconds of CPU used so far by `root` and its live descendants (nginx workers), or null off Linux. */
export function readTreeCpuMs(root: number): number | null {
  if (readStat(root) === null) return null;
  const children = new Map<number, number[]>();
  const stats = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    stats.set(pid, stat);
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  }
  let ticks = 0;
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    ticks += stats.get(pid)?.ticks ?? 0;
    queue.push(...(children.get(pid) ?? []));
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}
