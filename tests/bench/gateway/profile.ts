// `npm run bench -- --profile`: runs the gateway alone under node --cpu-prof while
// wrk drives small GETs, JWT GETs and 64 KiB POSTs at it, then prints where the
// CPU went (self and inclusive % of busy samples, by function and by module).
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { summariseProfile } from '../lib/cpu-profile.ts';
import { RESULTS_DIR } from '../lib/results.ts';
import { formatMs, renderTable } from '../lib/table.ts';
import { runWrk } from '../lib/wrk.ts';
import { WORKLOADS, type PlanOptions } from './measure.ts';
import { REPO_ROOT, startParticipants } from './participants.ts';

const TOP = 30;

export async function profileGateway(plan: PlanOptions): Promise<number> {
  const dir = join(RESULTS_DIR, `profile-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  await mkdir(dir, { recursive: true });
  const participants = await startParticipants({ gatewayOnly: true, gatewayNodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  try {
    if (participants.missing.length > 0) throw new Error(`gateway did not start: ${participants.missing.map((m) => m.reason).join('; ')}`);
    for (const target of participants.targets.filter((t) => t.name.startsWith('gateway'))) {
      for (const workload of ['small', 'body64k'] as const) {
        const w = WORKLOADS[workload];
        const result = await runWrk({
          url: `${target.base}${w.path}`,
          method: w.method,
          bodyBytes: w.bodyBytes || undefined,
          headers: target.headers,
          connections: plan.connections,
          durationS: plan.durationS * 2,
        });
        plan.log(`  ${target.name} ${workload}: ${Math.round(result.rps)} req/s, p99 ${formatMs(result.p99Ms)} ms${result.errors ? `, ${result.errors} errors` : ''}`);
      }
    }
  } finally {
    await participants.stopAll();
  }
  const profiles = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'));
  if (profiles.length === 0) throw new Error(`no .cpuprofile in ${dir}: did the gateway exit cleanly on SIGTERM?`);
  const summary = await summariseProfile(join(dir, profiles[0]!), REPO_ROOT);
  const pct = (value: number) => value.toFixed(1);
  plan.log(`\nprofile ${join(dir, profiles[0]!)}: ${summary.samples} samples, ${pct(summary.busyPct)} % busy`);
  plan.log('\nTop functions by self time (% of busy samples)');
  plan.log(renderTable(['self %', 'total %', 'function'], summary.functions.slice(0, TOP).map((e) => [pct(e.selfPct), pct(e.totalPct), e.name]), ['right', 'right', 'left']));
  plan.log('\nModules');
  plan.log(renderTable(['self %', 'total %', 'module'], summary.modules.slice(0, TOP).map((e) => [pct(e.selfPct), pct(e.totalPct), e.name]), ['right', 'right', 'left']));
  plan.log('\nProject functions by inclusive time');
  const project = summary.functions.filter((e) => /^\S+ (gateway|upstreams)\//.test(e.name)).sort((a, b) => b.totalPct - a.totalPct);
  plan.log(renderTable(['self %', 'total %', 'function'], project.slice(0, TOP).map((e) => [pct(e.selfPct), pct(e.totalPct), e.name]), ['right', 'right', 'left']));
  return 0;
}
