// `npm run bench -- cold-start [--repeats=3] [--ref=<commit>] [--source=<repo>]`:
// how long a fresh clone takes from `npm start` to the first 200 on /health/check
// (the goal: ≤ 5 s on the project's 2-core machine), and how long the second start
// takes. Each repeat is what a new user does: `git clone` into a temp directory,
// `npm ci` (which runs the postinstall: the PGlite templates), then `npm start`
// with no .env, no DATABASE_URL and no REDIS_URL (embedded PGlite under ./data,
// in-process cache store), stopped with SIGTERM, then started once more.
// `--ref` measures another commit (e.g. the one before a change) the same way.
// The machine is shared: medians are reported with the load average at each start.
// Beside the /health/check figure (only critical upstreams gate it: the orm), each
// start also reports when every upstream of routes.yaml was running.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as wait } from 'node:timers/promises';
import { parse } from 'yaml';
import { describeMachine, formatMachine } from '../lib/machine.ts';
import { readFlag, readNumberFlag } from '../lib/options.ts';
import { median } from '../lib/stats.ts';
import { renderTable } from '../lib/table.ts';

const GOAL_FIRST_START_S = 5;
const HEALTH_POLL_MS = 25;
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;

interface Repeat {
  installS: number;
  first: StartFigure;
  second: StartFigure;
}

interface StartFigure {
  seconds: number;
  /** Until the gateway logged every upstream of routes.yaml `→ running`. */
  allUpstreamsS: number;
  /** 1-minute load average when the start began. */
  load: number;
}

export async function main(args: string[]): Promise<number> {
  const repeats = readNumberFlag(args, 'repeats', 3, 1);
  const source = readFlag(args, 'source') ?? git(process.cwd(), ['rev-parse', '--show-toplevel']);
  const ref = git(source, ['rev-parse', readFlag(args, 'ref') ?? 'HEAD']);
  process.stdout.write(`${formatMachine(describeMachine())}\n`);
  process.stdout.write(`source ${source} at ${ref.slice(0, 12)} (${git(source, ['log', '-1', '--format=%s', ref]).slice(0, 80)})\n`);
  process.stdout.write(`${repeats} × (git clone, npm ci, npm start → first 200 on /health/check, stop, npm start again)\n\n`);

  const results: Repeat[] = [];
  for (let index = 0; index < repeats; index++) {
    const directory = mkdtempSync(join(tmpdir(), 'fullon-cold-start-'));
    try {
      git(tmpdir(), ['clone', '--quiet', '--no-checkout', source, directory]);
      git(directory, ['checkout', '--quiet', ref]);
      const installS = timed(() => run(directory, 'npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']));
      const first = await timeStart(directory);
      const second = await timeStart(directory);
      results.push({ installS, first, second });
      process.stdout.write(`run ${index + 1}: npm ci ${installS.toFixed(1)} s, first start ${first.seconds.toFixed(2)} s (every upstream ${first.allUpstreamsS.toFixed(2)} s, load ${first.load.toFixed(2)}), second start ${second.seconds.toFixed(2)} s (every upstream ${second.allUpstreamsS.toFixed(2)} s, load ${second.load.toFixed(2)})\n`);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }

  const rows = results.map((r, i) => [String(i + 1), r.installS.toFixed(1), r.first.seconds.toFixed(2), r.first.allUpstreamsS.toFixed(2), r.first.load.toFixed(2), r.second.seconds.toFixed(2), r.second.allUpstreamsS.toFixed(2), r.second.load.toFixed(2)]);
  const firstMedian = median(results.map((r) => r.first.seconds));
  const secondMedian = median(results.map((r) => r.second.seconds));
  rows.push([
    'median',
    median(results.map((r) => r.installS)).toFixed(1),
    firstMedian.toFixed(2),
    median(results.map((r) => r.first.allUpstreamsS)).toFixed(2),
    median(results.map((r) => r.first.load)).toFixed(2),
    secondMedian.toFixed(2),
    median(results.map((r) => r.second.allUpstreamsS)).toFixed(2),
    median(results.map((r) => r.second.load)).toFixed(2),
  ]);
  const headers = ['run', 'npm ci s', 'first start s', 'every upstream s', 'load', 'second start s', 'every upstream s', 'load'];
  process.stdout.write(`\n${renderTable(headers, rows, ['left', ...headers.slice(1).map(() => 'right' as const)])}\n`);
  const met = firstMedian <= GOAL_FIRST_START_S;
  process.stdout.write(`\nfirst start (fresh clone) median ${firstMedian.toFixed(2)} s, goal ≤ ${GOAL_FIRST_START_S} s: ${met ? 'met' : 'NOT met'}; second start median ${secondMedian.toFixed(2)} s\n`);
  return 0;
}

/** `npm start` in `directory` until /health/check answers 200 and every upstream runs, then a graceful stop. */
async function timeStart(directory: string): Promise<StartFigure> {
  const upstreams = upstreamNames(directory);
  const load = loadavg()[0] ?? 0;
  const started = performance.now();
  // Own process group, so the stop reaches npm and the gateway alike. A clean
  // environment: what a new user has (no .env in a clone, no database URLs).
  const child = spawn('npm', ['start'], { cwd: directory, env: cleanEnvironment(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  let port: number | null = null;
  const onData = (chunk: Buffer) => {
    if (output.length < 200_000) output += chunk.toString('utf8');
    port ??= gatewayPort(output);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let seconds = Number.NaN;
  let allUpstreamsS = Number.NaN;
  try {
    while (performance.now() - started < START_TIMEOUT_MS && (Number.isNaN(seconds) || Number.isNaN(allUpstreamsS))) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`npm start exited early:\n${output.slice(-4000)}`);
      if (Number.isNaN(seconds) && port !== null && (await healthCheckOk(port))) seconds = (performance.now() - started) / 1000;
      if (Number.isNaN(allUpstreamsS) && upstreams.every((name) => loggedRunning(output, name))) allUpstreamsS = (performance.now() - started) / 1000;
      await wait(HEALTH_POLL_MS);
    }
    if (Number.isNaN(seconds)) throw new Error(`no 200 on /health/check within ${START_TIMEOUT_MS} ms:\n${output.slice(-4000)}`);
    if (Number.isNaN(allUpstreamsS)) throw new Error(`not every upstream (${upstreams.join(', ')}) running within ${START_TIMEOUT_MS} ms:\n${output.slice(-4000)}`);
  } finally {
    await stopGroup(child.pid!, exited);
  }
  return { seconds, allUpstreamsS, load };
}

/** The upstreams the clone's routes.yaml declares (the collectors are services, not upstreams). */
function upstreamNames(directory: string): string[] {
  const routes = parse(readFileSync(join(directory, 'routes.yaml'), 'utf8')) as { upstreams?: Record<string, unknown> };
  return Object.keys(routes.upstreams ?? {});
}

/** The supervisor's transition line for `name`, e.g. {"service_name":"orm_api",...,"to":"running"}. */
function loggedRunning(output: string, name: string): boolean {
  const marker = `"service_name":${JSON.stringify(name)}`;
  return output.split('\n').some((line) => line.includes(marker) && line.includes('"to":"running"'));
}

function cleanEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PORT: '0', HOST: '127.0.0.1' };
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'USER', 'SHELL', 'TERM']) if (process.env[key] !== undefined) env[key] = process.env[key];
  return env;
}

/** The gateway's own "listening" line (PORT=0 picks a free port). */
function gatewayPort(output: string): number | null {
  for (const line of output.split('\n')) {
    if (!line.includes('"listening"') || !line.includes('"service":"gateway"')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: unknown; port?: unknown; service?: unknown };
      if (entry.msg === 'listening' && entry.service === 'gateway' && typeof entry.port === 'number') return entry.port;
    } catch {
      /* not a JSON line (npm's banner) */
    }
  }
  return null;
}

async function healthCheckOk(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health/check`, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

async function stopGroup(pid: number, exited: Promise<void>): Promise<void> {
  signalGroup(pid, 'SIGTERM');
  const killed = await Promise.race([exited.then(() => false), wait(STOP_TIMEOUT_MS).then(() => true)]);
  if (killed) {
    signalGroup(pid, 'SIGKILL');
    await exited;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

function timed(action: () => void): number {
  const started = performance.now();
  action();
  return (performance.now() - started) / 1000;
}

function run(cwd: string, command: string, args: string[]): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${(result.stderr ?? '').slice(-4000)}`);
  return result.stdout;
}

function git(cwd: string, args: string[]): string {
  return run(cwd, 'git', args).trim();
}
