// `npm run bench -- --profile`: for each scenario (small GET, 64 KiB POST, small
// GET with a JWT) starts a fresh gateway under node --cpu-prof, drives it with
// wrk, and prints where the CPU went (self and inclusive % of busy samples, by
// function and by module). Scenarios the gateway refuses (e.g. JWT before auth is
// wired) are skipped with the status they got.
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { summariseProfile, type ProfileSummary } from '../lib/cpu-profile.ts';
import { RESULTS_DIR, saveResults } from '../lib/results.ts';
import { formatMs, renderTable } from '../lib/table.ts';
import { runLoad as runWrk } from '../lib/load.ts';
import { WORKLOADS, type PlanOptions, type WorkloadName } from './measure.ts';
import { REPO_ROOT, startParticipants, type Target } from './participants.ts';

const TOP = 20;
const SCENARIOS: Array<{ name: string; target: 'gateway' | 'gateway+JWT'; workload: WorkloadName }> = [
  { name: 'small', target: 'gateway', workload: 'small' },
  { name: 'body64k', target: 'gateway', workload: 'body64k' },
  { name: 'jwt-small', target: 'gateway+JWT', workload: 'small' },
];

export async function profileGateway(plan: PlanOptions): Promise<number> {
  const root = join(RESULTS_DIR, `profile-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const summaries: Record<string, ProfileSummary & { rps: number; p99Ms: number }> = {};
  for (const scenario of SCENARIOS) {
    const dir = join(root, scenario.name);
    await mkdir(dir, { recursive: true });
    const participants = await startParticipants({ gatewayOnly: true, gatewayNodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
    let rps = 0;
    let p99Ms = 0;
    try {
      if (participants.missing.length > 0) throw new Error(`gateway did not start: ${participants.missing.map((m) => m.reason).join('; ')}`);
      const target = participants.targets.find((t) => t.name === scenario.target)!;
      const refusal = await probe(target, scenario.workload);
      if (refusal !== null) {
        plan.log(`\n[${scenario.name}] skipped: ${target.name} answers ${refusal}`);
        continue;
      }
      const w = WORKLOADS[scenario.workload];
      const result = await runWrk({
        url: `${target.base}${w.path}`,
        method: w.method,
        bodyBytes: w.bodyBytes || undefined,
        headers: target.headers,
        connections: plan.connections,
        durationS: Math.max(6, plan.durationS * 2),
      });
      ({ rps, p99Ms } = result);
      plan.log(`\n[${scenario.name}] ${target.name}: ${Math.round(rps)} req/s, p99 ${formatMs(p99Ms)} ms${result.errors ? `, ${result.errors} errors` : ''}`);
    } finally {
      await participants.stopAll();
    }
    const files = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'));
    if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}: did the gateway exit cleanly on SIGTERM?`);
    const summary = await summariseProfile(join(dir, files[0]!), REPO_ROOT);
    summaries[scenario.name] = { ...summary, rps, p99Ms };
    printSummary(plan, join(dir, files[0]!), summary);
  }
  const file = await saveResults('gateway-profile', summaries);
  plan.log(`\nraw profile summaries: ${file}`);
  return 0;
}

/** One request first: a refused scenario would profile the error path instead of the proxy. */
async function probe(target: Target, workload: WorkloadName): Promise<string | null> {
  const w = WORKLOADS[workload];
  const response = await fetch(`${target.base}${w.path}`, {
    method: w.method,
    headers: target.headers,
    body: w.bodyBytes ? Buffer.alloc(w.bodyBytes, 120) : undefined,
  });
  const text = await response.text();
  return response.ok ? null : `${response.status} ${text.slice(0, 200)}`;
}

function printSummary(plan: PlanOptions, file: string, summary: ProfileSummary): void {
  const pct = (value: number) => value.toFixed(1);
  plan.log(`profile ${file}: ${summary.samples} samples, ${pct(summary.busyPct)} % busy`);
  plan.log('Top functions by self time (% of busy samples)');
  plan.log(renderTable(['self %', 'total %', 'function'], summary.functions.slice(0, TOP).map((e) => [pct(e.selfPct), pct(e.totalPct), e.name]), ['right', 'right', 'left']));
  plan.log('Modules by self time');
  plan.log(renderTable(['self %', 'total %', 'module'], summary.modules.slice(0, TOP).map((e) => [pct(e.selfPct), pct(e.totalPct), e.name]), ['right', 'right', 'left']));
  plan.log('Project functions by inclusive time');
  const project = summary.functions.filter((e) => /^\S+ (gateway|upstreams)\//.test(e.name)).sort((a, b) => b.totalPct - a.totalPct);
  plan.log(renderTable(['self %', 'total %', 'function'], project.slice(0, TOP).map((e) => [pct(e.selfPct), pct(e.totalPct), e.name]), ['right', 'right', 'left']));
}
