// `npm run bench -- cold-start [--repeats=3] [--ref=<commit>] [--source=<repo>]`:
// how long a fresh clone takes from `npm start` to the first 200 on /health/check
// (the goal: ≤ 5 s on the project's 2-core machine), and how long the second start
// takes. Each repeat is what a new user does: `git clone` into a temp directory,
// `npm ci` (which runs the postinstall: the PGlite templates), then `npm start`
// with no .env, no DATABASE_URL and no REDIS_URL (embedded PGlite under ./data,
// in-process cache store), stopped with SIGTERM, then started once more.
// `--ref` measures another commit (e.g. the one before a change) the same way.
// The machine is shared: medians are reported with the load average at each start.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as wait } from 'node:timers/promises';
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
      process.stdout.write(`run ${index + 1}: npm ci ${installS.toFixed(1)} s, first start ${first.seconds.toFixed(2)} s (load ${first.load.toFixed(2)}), second start ${second.seconds.toFixed(2)} s (load ${second.load.toFixed(2)})\n`);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }

  const rows = results.map((r, i) => [String(i + 1), r.installS.toFixed(1), r.first.seconds.toFixed(2), r.first.load.toFixed(2), r.second.seconds.toFixed(2), r.second.load.toFixed(2)]);
  const firstMedian = median(results.map((r) => r.first.seconds));
  const secondMedian = median(results.map((r) => r.second.seconds));
  rows.push([
    'median',
    median(results.map((r) => r.installS)).toFixed(1),
    firstMedian.toFixed(2),
    median(results.map((r) => r.first.load)).toFixed(2),
    secondMedian.toFixed(2),
    median(results.map((r) => r.second.load)).toFixed(2),
  ]);
  process.stdout.write(`\n${renderTable(['run', 'npm ci s', 'first start s', 'load', 'second start s', 'load'], rows, ['left', 'right', 'right', 'right', 'right', 'right'])}\n`);
  const met = firstMedian <= GOAL_FIRST_START_S;
  process.stdout.write(`\nfirst start (fresh clone) median ${firstMedian.toFixed(2)} s, goal ≤ ${GOAL_FIRST_START_S} s: ${met ? 'met' : 'NOT met'}; second start median ${secondMedian.toFixed(2)} s\n`);
  return 0;
}

/** `npm start` in `directory` until /health/check answers 200, then a graceful stop. */
async function timeStart(directory: string): Promise<StartFigure> {
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
  try {
    while (performance.now() - started < START_TIMEOUT_MS) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`npm start exited early:\n${output.slice(-4000)}`);
      if (port !== null && (await healthCheckOk(port))) {
        seconds = (performance.now() - started) / 1000;
        break;
      }
      await wait(HEALTH_POLL_MS);
    }
    if (Number.isNaN(seconds)) throw new Error(`no 200 on /health/check within ${START_TIMEOUT_MS} ms:\n${output.slice(-4000)}`);
  } finally {
    await stopGroup(child.pid!, exited);
  }
  return { seconds, load };
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
