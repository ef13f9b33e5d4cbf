// `npm run bench -- --profile`: for each scenario starts a fresh process under
// node --cpu-prof (the gateway for small GET, 64 KiB POST and JWT GET; the bare
// node:http proxy as the floor to compare with), drives it with the load
// generator, and prints where the CPU went — self and inclusive % of busy
// samples by function and by module, start-up samples excluded. Scenarios the
// gateway refuses (e.g. JWT before auth is wired) are skipped with their status.
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { summariseProfile, type ProfileSummary } from '../lib/cpu-profile.ts';
import { runLoad } from '../lib/load.ts';
import { RESULTS_DIR, saveResults } from '../lib/results.ts';
import { formatMs, renderTable } from '../lib/table.ts';
import { WORKLOADS, type PlanOptions, type WorkloadName } from './measure.ts';
import { REPO_ROOT, startParticipants, type Target } from './participants.ts';

const TOP = 20;
const WARMUP_S = 2;
const SCENARIOS: Array<{ name: string; process: string; row: string; workload: WorkloadName }> = [
  { name: 'gateway-small', process: 'gateway', row: 'gateway', workload: 'small' },
  { name: 'gateway-body64k', process: 'gateway', row: 'gateway', workload: 'body64k' },
  { name: 'gateway-jwt-small', process: 'gateway+JWT', row: 'gateway+JWT', workload: 'small' },
  { name: 'bare-small', process: 'node:http bare proxy', row: 'node:http bare proxy', workload: 'small' },
];

type ScenarioSummary = ProfileSummary & { rps: number; p99Ms: number; cpuProfile: string };

export async function profileGateway(plan: PlanOptions): Promise<number> {
  const root = join(RESULTS_DIR, `profile-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const summaries: Record<string, ScenarioSummary> = {};
  const only = process.env.BENCH_PROFILE_ONLY?.split(',');
  for (const scenario of SCENARIOS.filter((s) => !only || only.includes(s.name))) {
    const dir = join(root, scenario.name);
    await mkdir(dir, { recursive: true });
    const participants = await startParticipants({ only: [scenario.process], nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
    let measured: { rps: number; p99Ms: number; skipMs: number } | null = null;
    try {
      const target = participants.targets.find((t) => t.name === scenario.row);
      if (!target) throw new Error(`${scenario.process} did not start: ${participants.missing.map((m) => m.reason).join('; ')}`);
      const refusal = await probe(target, scenario.workload);
      if (refusal !== null) {
        plan.log(`\n[${scenario.name}] skipped: ${target.name} answers ${refusal}`);
        continue;
      }
      const w = WORKLOADS[scenario.workload];
      const spec = { url: `${target.base}${w.path}`, method: w.method, bodyBytes: w.bodyBytes || undefined, headers: target.headers, connections: plan.connections };
      await runLoad({ ...spec, durationS: WARMUP_S });
      const skipMs = Date.now() - target.spawnedAt;
      const result = await runLoad({ ...spec, durationS: Math.max(8, plan.durationS * 2) });
      measured = { rps: result.rps, p99Ms: result.p99Ms, skipMs };
      plan.log(`\n[${scenario.name}] ${target.name}: ${Math.round(result.rps)} req/s, p99 ${formatMs(result.p99Ms)} ms${result.errors ? `, ${result.errors} errors` : ''}`);
    } finally {
      await participants.stopAll();
    }
    const files = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'));
    if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}: did ${scenario.process} exit cleanly on SIGTERM?`);
    // The gateway writes one profile per process (primary and worker, which inherits
    // --cpu-prof): the one that served the load is the busiest. Start-up (module
    // loading, schema compilation) and warm-up are not what a running gateway costs.
    const profiles = await Promise.all(files.map(async (name) => ({ file: join(dir, name), summary: await summariseProfile(join(dir, name), { root: REPO_ROOT, skipMs: measured!.skipMs }) })));
    const busiest = profiles.reduce((best, next) => (busySamples(next.summary) > busySamples(best.summary) ? next : best));
    const { file: cpuProfile, summary } = busiest;
    if (profiles.length > 1) plan.log(`${profiles.length} processes profiled; the busiest (the one that served the load) is shown`);
    summaries[scenario.name] = { ...summary, rps: measured!.rps, p99Ms: measured!.p99Ms, cpuProfile };
    printSummary(plan, cpuProfile, summary);
  }
  const file = await saveResults('gateway-profile', summaries);
  plan.log(`\nraw profile summaries: ${file}`);
  return 0;
}

const busySamples = (summary: ProfileSummary): number => summary.samples * summary.busyPct;

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
  const table = (entries: ProfileSummary['functions'], label: string) =>
    renderTable(['self %', 'total %', label], entries.slice(0, TOP).map((e) => [pct(e.selfPct), pct(e.totalPct), e.name]), ['right', 'right', 'left']);
  plan.log(`profile ${file}: ${summary.samples} samples under load, ${pct(summary.busyPct)} % busy`);
  plan.log('Top functions by self time (% of busy samples)');
  plan.log(table(summary.functions, 'function'));
  plan.log('Modules by self time');
  plan.log(table(summary.modules, 'module'));
  plan.log('Project functions by inclusive time');
  plan.log(table(summary.functions.filter((e) => /^\S+ (gateway|upstreams|tests)\//.test(e.name)).sort((a, b) => b.totalPct - a.totalPct), 'function'));
}
