// `npm run bench -- login-flood [--flooders=16] [--samples=300] [--throttle=off]`:
// issue 10's "login under attack" figure. A real stack (gateway + orm on a fresh
// Postgres database, bcrypt at the default cost) serves one user's
// GET /api/v1/orm/users/me (bearer token) one request at a time, first idle, then
// while `flooders` loops post wrong passwords as fast as they are answered (random
// accounts and one target account, from one address). Reports that user's p50/p99
// idle and under the flood, their ratio (the goal: p99 ≤ 2× idle), and how the
// flood was answered (401 / 429 / 503). --throttle=off sets the login limits to 0,
// so only the orm's bound on concurrent bcrypt checks protects the other user.
// Prints the load average: the machine is shared and its load moves the figures.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { startStack } from '../../../examples/lib/stack.ts';
import { freshDatabaseUrl } from '../../helpers/isolation.ts';
import { readFlag, readNumberFlag } from '../lib/options.ts';
import { saveResults } from '../lib/results.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function sampleVictim(url: string, token: string, samples: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    const res = await fetch(`${url}/api/v1/orm/users/me`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`victim request answered ${res.status}`);
    times.push(performance.now() - started);
    // A steady user, not a load generator: ~50 requests/s.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return times.sort((a, b) => a - b);
}

export async function main(args: string[]): Promise<number> {
  const flooders = readNumberFlag(args, 'flooders', 16, 1);
  const samples = readNumberFlag(args, 'samples', 300, 20);
  const throttleOff = readFlag(args, 'throttle') === 'off';
  const database = await freshDatabaseUrl('bench_login_flood');
  // The stack waits for the gateway's info-level "listening" line: keep LOG_LEVEL as it is.
  const env: Record<string, string> = { DATABASE_URL: database.url, ACCESS_LOG: 'false' };
  if (throttleOff) Object.assign(env, { LOGIN_MAX_FAILURES_PER_ACCOUNT: '0', LOGIN_MAX_FAILURES_PER_ADDRESS: '0' });
  const progress = (text: string) => process.stderr.write(`[login-flood] ${text}\n`);
  progress('starting the stack');
  const stack = await startStack({ env, onLog: process.env.BENCH_VERBOSE ? (line) => process.stderr.write(`${line}\n`) : undefined });
  progress(`stack up at ${stack.url}`);
  try {
    const login = await fetch(`${stack.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: stack.adminMail, password: stack.adminPassword }).toString(),
    });
    if (login.status !== 200) throw new Error(`login answered ${login.status}`);
    const { access_token: token } = (await login.json()) as { access_token: string };
    await sampleVictim(stack.url, token, 20); // warm-up: caches, connections, JIT
    const loadBefore = loadavg().map((value) => Number(value.toFixed(2)));
    progress('idle phase');
    const idle = await sampleVictim(stack.url, token, samples);
    progress('flood phase');

    const flood = spawn(process.execPath, [join(HERE, 'flooder.ts'), stack.url, String(flooders)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let floodOutput = '';
    flood.stdout.on('data', (chunk: Buffer) => (floodOutput += chunk.toString()));
    const floodDone = new Promise<void>((resolve) => flood.once('exit', () => resolve()));
    // Let the flood reach its steady state before measuring.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const underFlood = await sampleVictim(stack.url, token, samples);
    flood.kill('SIGTERM');
    await floodDone;
    const answers = new Map(Object.entries(JSON.parse(floodOutput.trim() || '{}') as Record<string, number>).map(([status, count]) => [Number(status), count]));
    const loadAfter = loadavg().map((value) => Number(value.toFixed(2)));

    const result = {
      mode: throttleOff ? 'throttle off (bcrypt bound only)' : 'default limits',
      flooders,
      samples,
      idle: { p50: percentile(idle, 50), p99: percentile(idle, 99) },
      flood: { p50: percentile(underFlood, 50), p99: percentile(underFlood, 99) },
      ratioP99: percentile(underFlood, 99) / percentile(idle, 99),
      floodAnswers: Object.fromEntries([...answers.entries()].sort(([a], [b]) => a - b)),
      loadAverage: { before: loadBefore, after: loadAfter },
    };
    const round = (value: number) => Math.round(value * 100) / 100;
    process.stdout.write(
      [
        `mode: ${result.mode}; ${flooders} flooders; ${samples} samples per phase`,
        `idle    p50 ${round(result.idle.p50)} ms  p99 ${round(result.idle.p99)} ms`,
        `flood   p50 ${round(result.flood.p50)} ms  p99 ${round(result.flood.p99)} ms`,
        `p99 ratio flood/idle: ${round(result.ratioP99)} (goal ≤ 2)`,
        `flood answers: ${JSON.stringify(result.floodAnswers)}`,
        `load average before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')}`,
        `saved: ${await saveResults('login-flood', result)}`,
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    await stack.stop();
    await database.drop();
  }
}
