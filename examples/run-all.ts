// `npm run examples [-- name ...]`: starts a throwaway stack (lib/stack.ts), runs
// every examples/*.ts (or the named ones) as a subprocess against it, prints a
// pass/fail table, stops the stack, and exits non-zero when any example failed.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack, type Stack } from './lib/stack.ts';

export const EXAMPLES_DIR = dirname(fileURLToPath(import.meta.url));
export const EXAMPLE_TIMEOUT_MS = 120_000;

/** Every runnable example (examples/*.ts but the runner itself), by name. */
export function discoverExamples(dir = EXAMPLES_DIR): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.ts') && file !== 'run-all.ts')
    .map((file) => basename(file, '.ts'))
    .sort();
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
  console.log(`starting a throwaway stack for ${names.length} example(s)...`);
  const stack = await startStack();
  console.log(`gateway at ${stack.url} (data in ${stack.dataDir})`);
  const results: ExampleResult[] = [];
  try {
    for (const name of names) {
      const result = await runExample(name, stack);
      results.push(result);
      console.log(`${result.ok ? 'pass' : 'FAIL'} ${name}`);
      if (!result.ok) console.log(result.output.split('\n').map((line) => `    ${line}`).join('\n'));
    }
  } finally {
    await stack.stop();
  }
  printTable(results);
  return results.every((r) => r.ok) ? 0 : 1;
}

if (import.meta.main) process.exitCode = await main();
