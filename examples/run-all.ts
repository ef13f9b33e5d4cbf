// `npm run examples [-- name ...]`: starts a throwaway stack (lib/stack.ts), runs
// every examples/*.ts (or the named ones) as a subprocess against it, prints a
// pass/fail table, stops the stack, and exits non-zero when any example failed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack, type Stack, type StackOptions } from './lib/stack.ts';

export const EXAMPLES_DIR = dirname(fileURLToPath(import.meta.url));
export const EXAMPLE_TIMEOUT_MS = 120_000;

/** Every runnable example (examples/*.ts but the runner itself), by name. */
export function discoverExamples(dir = EXAMPLES_DIR): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.ts') && file !== 'run-all.ts')
    .map((file) => basename(file, '.ts'))
    .sort();
}

/** Examples that talk to a stack serving HTTPS: they get a stack of their own (startHttpsStack). */
export const HTTPS_EXAMPLES: readonly string[] = ['https'];

/**
 * A stack serving HTTPS with the pair `examples/https.ts make-pair` writes (its
 * step 1, run as a user would), in a temporary directory removed at stop.
 */
export async function startHttpsStack(options: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'fullon-https-'));
  const made = spawnSync(process.execPath, [join(EXAMPLES_DIR, 'https.ts'), 'make-pair', dir], { cwd: dirname(EXAMPLES_DIR), encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`examples/https.ts make-pair failed:\n${made.stdout}${made.stderr}`);
  try {
    const stack = await startStack({ ...options, tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') } });
    return { ...stack, stop: async () => (await stack.stop(), rmSync(dir, { recursive: true, force: true })) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

export interface ExampleResult {
  name: string;
  ok: boolean;
  code: number | null;
  durationMs: number;
  output: string;
}

export function runExample(name: string, stack: Stack, timeoutMs = EXAMPLE_TIMEOUT_MS): Promise<ExampleResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(EXAMPLES_DIR, `${name}.ts`)], { cwd: dirname(EXAMPLES_DIR), env: { ...process.env, ...stack.exampleEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n[runner] timed out after ${timeoutMs} ms`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ name, ok: code === 0, code, durationMs: Date.now() - started, output });
    });
  });
}

function printTable(results: ExampleResult[]): void {
  const width = Math.max(7, ...results.map((r) => r.name.length));
  console.log(`\n${'example'.padEnd(width)}  result  time`);
  console.log(`${'-'.repeat(width)}  ------  ------`);
  for (const r of results) console.log(`${r.name.padEnd(width)}  ${r.ok ? 'pass  ' : 'FAIL  '}  ${(r.durationMs / 1000).toFixed(1)}s`);
  const failed = results.filter((r) => !r.ok).length;
  console.log(`\n${results.length - failed} passed, ${failed} failed`);
}

async function main(): Promise<number> {
  const all = discoverExamples();
  const wanted = process.argv.slice(2).map((arg) => basename(arg, '.ts'));
  const unknown = wanted.filter((name) => !all.includes(name));
  if (unknown.length > 0) {
    console.error(`unknown example(s): ${unknown.join(', ')} (have: ${all.join(', ')})`);
    return 2;
  }
  const names = wanted.length > 0 ? wanted : all;
  const results: ExampleResult[] = [];
  // The plain-HTTP examples share one stack; the HTTPS ones get one serving HTTPS.
  for (const [group, start] of [
    [names.filter((name) => !HTTPS_EXAMPLES.includes(name)), () => startStack()],
    [names.filter((name) => HTTPS_EXAMPLES.includes(name)), () => startHttpsStack()],
  ] as const) {
    if (group.length === 0) continue;
    console.log(`starting a throwaway stack for ${group.length} example(s)...`);
    const stack = await start();
    console.log(`gateway at ${stack.url} (data in ${stack.dataDir})`);
    try {
      for (const name of group) {
        const result = await runExample(name, stack);
        results.push(result);
        console.log(`${result.ok ? 'pass' : 'FAIL'} ${name}`);
        if (!result.ok) console.log(result.output.split('\n').map((line) => `    ${line}`).join('\n'));
      }
    } finally {
      await stack.stop();
    }
  }
  printTable(results);
  return results.every((r) => r.ok) ? 0 : 1;
}

if (import.meta.main) process.exitCode = await main();
