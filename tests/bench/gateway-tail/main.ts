// Where the tail at half load goes (`npm run bench -- gateway-tail`): the bare
// node:http proxy, the gateway and the gateway with a JWT, each with the stall
// probe loaded (stall-probe.ts), paced at half the gateway's peak like the
// gateway benchmark's latency table. For each row it puts the client's p99 next
// to what the serving process saw during those runs: event-loop blocks of ≥ 5 ms,
// split into working (CPU ≈ wall: JavaScript, GC, compilation) and waiting for a
// core (little CPU), and GC pauses by kind, and the CPU per request split by thread:
// the event loop against V8's GC and compiler threads. The rows are placed as the
// gateway benchmark's paced table places them (event loops on a core of their own).
// A diagnosis, not a goal: the probe's own 2 ms timer costs every row alike.
// Options: --rate=N (default: half of the gateway's measured peak), --duration=N, --repeats=N.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describePinning, planPinning } from '../lib/cpu-pinning.ts';
import { readTreeCpuMs, readTreeThreadCpuMs, type ThreadCpuMs } from '../lib/cpu-usage.ts';
import { runLoad } from '../lib/load.ts';
import { describeMachine, formatMachine } from '../lib/machine.ts';
import { readNumberFlag } from '../lib/options.ts';
import { requireBinary } from '../lib/requirements.ts';
import { saveResults } from '../lib/results.ts';
import { median } from '../lib/stats.ts';
import { formatMs, renderTable } from '../lib/table.ts';
import { PACED_WARMUP_S, pinRows, WORKLOADS } from '../gateway/measure.ts';
import { startParticipants, type Target } from '../gateway/participants.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROWS = ['node:http bare proxy', 'gateway', 'gateway+JWT'] as const;
/** Each paced connection sends one request per this many ms (as the gateway benchmark). */
const PACED_CYCLE_MS = 50;
/** A block with less CPU than this share of its wall time was mostly waiting for a core. */
const WORKING_SHARE = 0.5;

interface ProbeEvent {
  pid: number;
  ppid: number;
  type: 'gc' | 'block';
  at: number;
  ms: number;
  cpuMs?: number;
  kind?: string;
}

interface Window {
  row: string;
  from: number;
  to: number;
  p50Ms: number;
  p99Ms: number;
  rps: number;
  requests: number;
  /** CPU ms the row's process tree used during the run. */
  cpuMs: number;
  /** The same, by kind of thread (null off Linux). */
  threadMs: ThreadCpuMs | null;
}

export async function main(args: string[]): Promise<number> {
  requireBinary('wrk', 'wrk');
  const durationS = readNumberFlag(args, 'duration', 8, 1);
  const repeats = readNumberFlag(args, 'repeats', 3, 1);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const stallDir = await mkdtemp(join(tmpdir(), 'fullon-bench-stalls-'));
  // The participants inherit this environment: the probe writes its events there.
  process.env.BENCH_STALL_DIR = stallDir;
  try {
    return await diagnose(args, stallDir, durationS, repeats, log);
  } finally {
    // The probe's event files: read by diagnose, summed up in the saved results.
    await rm(stallDir, { recursive: true, force: true });
  }
}

async function diagnose(args: string[], stallDir: string, durationS: number, repeats: number, log: (line: string) => void): Promise<number> {
  log(`gateway tail diagnosis — ${formatMachine(describeMachine())}`);
  const participants = await startParticipants({ only: [...ROWS], nodeFlags: ['--import', join(HERE, 'stall-probe.ts')] });
  try {
    for (const { name, reason } of participants.missing) log(`  ! ${name} not measured: ${reason}`);
    const targets = ROWS.map((row) => participants.targets.find((t) => t.name === row)).filter((t): t is Target => t !== undefined);
    const gateway = targets.find((t) => t.name === 'gateway');
    if (!gateway) throw new Error('the gateway did not start');
    for (const target of targets) await runLoad({ ...loadSpec(target), connections: 32, durationS: 2 });
    const peak = await runLoad({ ...loadSpec(gateway), connections: 32, durationS: 4 });
    const rate = readNumberFlag(args, 'rate', Math.round(peak.rps / 2), 1);
    const connections = Math.max(8, Math.round((rate * PACED_CYCLE_MS) / 1000));
    const thinkMs = (connections * 1000) / rate;
    const pinning = planPinning();
    log(`paced: ${rate} req/s (gateway peak ${Math.round(peak.rps)}), ${connections} connections, ${durationS} s × ${repeats} per row; ${describePinning(pinning)}\n`);
    // Placed as the gateway benchmark's paced table places them, so the two read alike.
    if (pinning) pinRows(participants.targets, pinning, 'apart');
    let windows: Window[];
    try {
      windows = await pacedWindows(targets, { connections, durationS, thinkMs, repeats }, log);
    } finally {
      if (pinning) pinRows(participants.targets, pinning, 'together');
    }
    const events = await readEvents(stallDir);
    const rows = targets.map((target) => summarise(target, windows.filter((w) => w.row === target.name), events));
    log('');
    log(
      renderTable(
        ['row', 'p99 ms (median)', 'busy % of a core', 'CPU µs/req', 'event loop µs/req', 'V8 threads µs/req', 'blocks ≥5 ms /s', 'working: n, max ms', 'waiting for a core: n, max ms', 'GC ms /s', 'scavenges: n, max ms', 'mark-compacts: n, max ms'],
        rows.map((r) => [r.row, formatMs(r.p99Ms), r.busyPct.toFixed(0), r.cpuUsPerRequest.toFixed(0), formatUs(r.threadUsPerRequest?.eventLoop), formatUs(r.threadUsPerRequest?.v8), r.blocksPerS.toFixed(1), `${r.working.count}, ${formatMs(r.working.max)}`, `${r.waiting.count}, ${formatMs(r.waiting.max)}`, r.gcMsPerS.toFixed(1), `${r.scavenge.count}, ${formatMs(r.scavenge.max)}`, `${r.markCompact.count}, ${formatMs(r.markCompact.max)}`]),
        ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
      ),
    );
    const file = await saveResults('gateway-tail', { rate, connections, durationS, repeats, windows, rows });
    log(`\nraw results: ${file}`);
    return participants.missing.length > 0 ? 1 : 0;
  } finally {
    await participants.stopAll();
  }
}

const loadSpec = (target: Target) => ({ url: `${target.base}${WORKLOADS.small.path}`, method: 'GET' as const, headers: target.headers });

interface PacedPlan {
  connections: number;
  durationS: number;
  thinkMs: number;
  repeats: number;
}

/** Each row paced for `repeats` rounds, with what its process tree spent during each window. */
async function pacedWindows(targets: Target[], plan: PacedPlan, log: (line: string) => void): Promise<Window[]> {
  const windows: Window[] = [];
  for (let repeat = 1; repeat <= plan.repeats; repeat++) {
    for (const target of targets) {
      // Blocks and GC count from the first request on, not while the connections open.
      const from = Date.now() + PACED_WARMUP_S * 1000;
      const cpuBefore = readTreeCpuMs(target.pid!) ?? 0;
      const threadsBefore = readTreeThreadCpuMs(target.pid!);
      const result = await runLoad({ ...loadSpec(target), connections: plan.connections, durationS: plan.durationS, thinkMs: plan.thinkMs, warmupS: PACED_WARMUP_S });
      const cpuMs = (readTreeCpuMs(target.pid!) ?? cpuBefore) - cpuBefore;
      const threadMs = threadsSince(threadsBefore, readTreeThreadCpuMs(target.pid!));
      windows.push({ row: target.name, from, to: Date.now(), p50Ms: result.p50Ms, p99Ms: result.p99Ms, rps: result.rps, requests: result.requests, cpuMs, threadMs });
      log(`  run ${repeat}/${plan.repeats} ${target.name.padEnd(22)} ${Math.round(result.rps)} req/s  p50 ${formatMs(result.p50Ms)} ms  p99 ${formatMs(result.p99Ms)} ms`);
    }
  }
  return windows;
}

async function readEvents(dir: string): Promise<ProbeEvent[]> {
  const events: ProbeEvent[] = [];
  for (const name of await readdir(dir)) {
    for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) if (line) events.push(JSON.parse(line) as ProbeEvent);
  }
  return events;
}

/** CPU by kind of thread between two readings; null when either is missing (off Linux, or the process gone). */
function threadsSince(before: ThreadCpuMs | null, after: ThreadCpuMs | null): ThreadCpuMs | null {
  if (!before || !after) return null;
  return { eventLoop: after.eventLoop - before.eventLoop, v8: after.v8 - before.v8, other: after.other - before.other };
}

const formatUs = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(0));

interface Tally {
  count: number;
  max: number;
}

function tally(events: ProbeEvent[]): Tally {
  return { count: events.length, max: events.reduce((max, e) => Math.max(max, e.ms), 0) };
}

function perRequest(readings: ThreadCpuMs[], requests: number): ThreadCpuMs {
  const us = (pick: (t: ThreadCpuMs) => number) => (readings.reduce((sum, t) => sum + pick(t), 0) * 1000) / requests;
  return { eventLoop: us((t) => t.eventLoop), v8: us((t) => t.v8), other: us((t) => t.other) };
}

/** The row's serving process is the spawned one (bare proxy) or its child (the gateway's worker). */
function summarise(target: Target, windows: Window[], events: ProbeEvent[]) {
  const inWindows = events.filter((e) => (e.pid === target.pid || e.ppid === target.pid) && windows.some((w) => e.at >= w.from && e.at <= w.to));
  const seconds = windows.reduce((sum, w) => sum + (w.to - w.from) / 1000, 0);
  const requests = windows.reduce((sum, w) => sum + w.requests, 0);
  const blocks = inWindows.filter((e) => e.type === 'block');
  const gcs = inWindows.filter((e) => e.type === 'gc');
  return {
    row: target.name,
    p99Ms: median(windows.map((w) => w.p99Ms)),
    // How busy the row's processes were: queueing (and so the tail) grows fast with it.
    busyPct: (windows.reduce((sum, w) => sum + w.cpuMs, 0) / 1000 / seconds) * 100,
    cpuUsPerRequest: (windows.reduce((sum, w) => sum + w.cpuMs, 0) * 1000) / requests,
    // Where that CPU ran: a row whose GC and compiler threads take more competes with its own event loop on a small machine.
    threadUsPerRequest: windows.every((w) => w.threadMs !== null) ? perRequest(windows.map((w) => w.threadMs!), requests) : null,
    blocksPerS: blocks.length / seconds,
    working: tally(blocks.filter((b) => (b.cpuMs ?? 0) >= b.ms * WORKING_SHARE)),
    waiting: tally(blocks.filter((b) => (b.cpuMs ?? 0) < b.ms * WORKING_SHARE)),
    gcMsPerS: gcs.reduce((sum, g) => sum + g.ms, 0) / seconds,
    scavenge: tally(gcs.filter((g) => g.kind === 'scavenge')),
    markCompact: tally(gcs.filter((g) => g.kind === 'mark-compact')),
  };
}
