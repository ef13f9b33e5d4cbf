// What the gateway's metrics cost per request (issue 17 "Done when": the cost
// per request, from a benchmark with metrics on and off): the same stub upstream
// behind two gateway processes that differ only in METRICS_ENABLED, measured in
// one run with the gateway benchmark's own plan (interleaved rows, warm-up,
// medians; tests/bench/gateway/measure.ts). Both gateways run one worker with the
// access log off, so the difference is the metrics recording and nothing else.
// `npm run bench -- gateway-metrics [--quick] [--duration=N] [--repeats=N]`.
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseLoadGenerator } from '../lib/load.ts';
import { describeMachine, formatMachine } from '../lib/machine.ts';
import { priorityNote } from '../lib/priority.ts';
import { startListeningProcess, type BenchProcess } from '../lib/processes.ts';
import { saveResults } from '../lib/results.ts';
import { formatMs, formatRate, renderTable } from '../lib/table.ts';
import { readPlan } from '../gateway/main.ts';
import { measurePeak, type Summary, type WorkloadName } from '../gateway/measure.ts';
import type { Target } from '../gateway/participants.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(HERE, '..', '..', '..');
const ROWS = { on: 'gateway, metrics on', off: 'gateway, metrics off' } as const;

export async function main(args: string[]): Promise<number> {
  const loadGenerator = chooseLoadGenerator();
  const plan = readPlan(args);
  const machine = describeMachine();
  plan.log(`gateway metrics on/off — ${formatMachine(machine)}`);
  plan.log(`${loadGenerator === 'wrk' ? 'wrk -t1' : 'autocannon'} -c${plan.connections}, ${plan.durationS} s × ${plan.repeats} per row and workload (medians), WORKERS=1, ACCESS_LOG=false, ${priorityNote}\n`);

  const processes: BenchProcess[] = [];
  try {
    const stub = await startListeningProcess({ name: 'stub', command: process.execPath, args: [join(REPO_ROOT, 'tests/bench/gateway/stub-upstream.ts')] });
    processes.push(stub);
    const work = await mkdtemp(join(tmpdir(), 'fullon-bench-metrics-'));
    const routesFile = join(work, 'routes.yaml');
    await writeFile(routesFile, `upstreams:\n  stub:\n    url: ${stub.url}\n    health: { path: /health, interval: 10s, timeout: 2s }\nservices: {}\nroutes:\n  - { prefix: /bench, upstream: stub, rewrite: "", auth: public, body_limit: 1mb }\n`);
    const secret = randomBytes(32).toString('hex');
    const targets: Target[] = [];
    for (const [key, name] of Object.entries(ROWS) as Array<[keyof typeof ROWS, string]>) {
      const gateway = await startListeningProcess({
        name,
        command: process.execPath,
        args: [join(REPO_ROOT, 'gateway/main.ts')],
        env: {
          PORT: '0',
          HOST: '127.0.0.1',
          ROUTES_FILE: routesFile,
          DATA_DIR: join(work, `data-${key}`),
          LOG_LEVEL: 'info',
          ACCESS_LOG: 'false',
          WORKERS: '1',
          METRICS_ENABLED: key === 'on' ? 'true' : 'false',
          JWT_SECRET_KEY: secret,
          NODE_ENV: 'production',
          SHUTDOWN_GRACE_MS: '2000',
        },
        timeoutMs: 30_000,
      });
      processes.push(gateway);
      targets.push({ name, base: `${gateway.url}/bench`, headers: {}, pid: gateway.child.pid, spawnedAt: gateway.spawnedAt, output: gateway.output });
    }

    const peak = await measurePeak(targets, plan);
    const row = (name: string, summary: Summary | undefined) =>
      summary ? [name, formatRate(summary.rps) + (summary.errors ? ' !' : ''), formatMs(summary.p50Ms), formatMs(summary.p99Ms), summary.cpuUsPerRequest === null ? '—' : String(Math.round(summary.cpuUsPerRequest))] : [name, '—', '—', '—', '—'];
    const lines: string[] = [''];
    const costs: Record<string, { cpuUs: number | null; rpsChange: number | null }> = {};
    for (const workload of ['small', 'body64k'] as WorkloadName[]) {
      const on = peak[ROWS.on]?.[workload];
      const off = peak[ROWS.off]?.[workload];
      lines.push(`${workload === 'small' ? 'small GET' : '64 KiB POST'} (median of ${plan.repeats}; "!" = errors seen)`);
      lines.push(renderTable(['row', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req'], [row(ROWS.on, on), row(ROWS.off, off)], ['left', 'right', 'right', 'right', 'right']));
      const cpuUs = on?.cpuUsPerRequest != null && off?.cpuUsPerRequest != null ? on.cpuUsPerRequest - off.cpuUsPerRequest : null;
      const rpsChange = on && off && off.rps > 0 ? on.rps / off.rps - 1 : null;
      costs[workload] = { cpuUs, rpsChange };
      lines.push(
        `metrics cost (${workload}): ${cpuUs === null ? 'CPU not measured' : `${cpuUs >= 0 ? '+' : ''}${cpuUs.toFixed(1)} µs CPU per request`}, throughput ${rpsChange === null ? '—' : `${rpsChange >= 0 ? '+' : ''}${(rpsChange * 100).toFixed(1)}%`} (on vs off)`,
        '',
      );
    }
    plan.log(lines.join('\n'));
    const file = await saveResults('gateway-metrics', { machine, plan: { ...plan, log: undefined }, peak, costs });
    plan.log(`raw results: ${file}`);
    return 0;
  } finally {
    await Promise.all(processes.reverse().map((child) => child.stop()));
  }
}
