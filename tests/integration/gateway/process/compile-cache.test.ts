// Node's compile cache for the stack (gateway/process/compile-cache.ts): the
// postinstall's warm-up leaves every module of every process a start runs in the
// cache, a fresh process then loads them from it (Node's own debug output says so),
// the setting reaches supervised children, and an operator's choice wins.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_COMPILE_CACHE_DIR, nodeEntriesOf, relativeImportsOf } from '../../../../gateway/process/compile-cache.ts';
import { buildChildEnv } from '../../../../gateway/supervisor/child-env.ts';
import { workerExecArgv } from '../../../../gateway/cluster/worker-node-flags.ts';

const ROOT = resolve(import.meta.dirname, '../../../..');
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fullon-compile-cache-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs Node (this one) in the project with only the given variables (plus PATH and HOME). */
function node(args: string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const OUTCOME_SCRIPT = `
  const { enableStackCompileCache } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'gateway/process/compile-cache.ts')).href)});
  const outcome = enableStackCompileCache();
  console.log(JSON.stringify({ outcome, env: process.env.NODE_COMPILE_CACHE ?? null }));
`;

function outcomeWith(env: Record<string, string>): { outcome: string; env: string | null } {
  const run = node(['--input-type=module', '-e', OUTCOME_SCRIPT], env);
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim()) as { outcome: string; env: string | null };
}

describe('what the warm-up imports', () => {
  it('finds the node entry of every supervised process in routes.yaml, and nothing else', () => {
    const routes = parse(readFileSync(join(ROOT, 'routes.yaml'), 'utf8'));
    expect(nodeEntriesOf(routes).sort()).toEqual(['upstreams/cache/main.ts', 'upstreams/collectors/main.ts', 'upstreams/ohlcv/main.ts', 'upstreams/orm/main.ts']);
    const odd = { upstreams: { a: { process: { command: ['python', 'x.py'] } }, b: { process: { command: ['node', '--inspect'] } }, c: { url: 'http://x' }, d: null }, services: 'no' };
    expect(nodeEntriesOf(odd)).toEqual([]);
    expect(nodeEntriesOf(null)).toEqual([]);
  });

  it('takes relative static, side-effect and literal dynamic imports of an entry, not packages or node: modules', () => {
    const source = [
      "import cluster from 'node:cluster';",
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "import './side-effect.ts';",
      "import pino from 'pino';",
      "export { c } from './c.ts';",
      "if (x) await (await import('./cluster/primary.ts')).run();",
      "const name = './not-literal.ts'; await import(name);",
    ].join('\n');
    expect(relativeImportsOf(source)).toEqual(['./a.ts', '../b.ts', './side-effect.ts', './c.ts', './cluster/primary.ts']);
  });
});

/** Node's debug account of a run: every project module (and each of `mustInclude`) came from the cache. */
function expectAllFromCache(load: { status: number | null; stderr: string }, mustInclude: string[]): void {
  expect(load.status, load.stderr.slice(-2000)).toBe(0);
  const sources = [`${pathToFileURL(ROOT).href}/gateway/`, `${pathToFileURL(ROOT).href}/upstreams/`];
  const projectLines = load.stderr.split('\n').filter((line) => sources.some((prefix) => line.includes(prefix)));
  const accepted = projectLines.filter((line) => / for ESM \S+ was accepted/.test(line));
  const transpiled = projectLines.filter((line) => /retrieving transpile cache for StrippedTypeScript \S+\.\.\.success/.test(line));
  const missed = projectLines.filter((line) => /no transpile cache|was not initialized|was rejected|failed/.test(line));
  // A cold cache misses every one of the ~180 modules. One full-suite run (of
  // many) saw a single module's transpile entry missing under load; a miss
  // only costs time, so a couple are tolerated, and shown.
  expect(missed.length, missed.join('\n')).toBeLessThanOrEqual(2);
  expect(accepted.length).toBeGreaterThan(100);
  expect(transpiled.length).toBeGreaterThan(100);
  for (const file of mustInclude) expect(accepted.some((line) => line.includes(`${pathToFileURL(join(ROOT, file)).href} was accepted`)), `${file} from the cache`).toBe(true);
}

describe('compile cache', () => {
  it('is warmed by the install step: a fresh process loads every project module from it, entries included, and so does a worker with its own V8 flags', () => {
    const cache = tempDir();
    const warm = node(['gateway/cli/warm-compile-cache.ts'], { NODE_COMPILE_CACHE: cache });
    expect(warm.status, warm.stderr).toBe(0);
    expect(warm.stdout).toMatch(/warmed from \d+ modules in/);
    expect(warm.stdout).toMatch(/warmed from \d+ modules with the workers' flags \(--no-allocation-site-pretenuring\)/);
    // Node keeps one directory per set of V8 flags: the default one, and the workers'.
    expect(readdirSync(cache)).toHaveLength(2);

    // The entries (which run only as a process's main module, so importing them starts nothing)
    // and the orm's graph, with default flags, in a new process, with Node's own account of each lookup.
    const entries = ['gateway/main.ts', 'upstreams/orm/main.ts', 'upstreams/ohlcv/main.ts', 'upstreams/cache/main.ts', 'upstreams/collectors/main.ts'];
    const upstream = [...entries, 'upstreams/orm/app.ts'].map((file) => `await import(${JSON.stringify(pathToFileURL(join(ROOT, file)).href)});`).join(' ');
    expectAllFromCache(node(['--input-type=module', '-e', upstream], { NODE_COMPILE_CACHE: cache, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' }), entries);
    // A worker's graph, started as the primary starts a worker (workerExecArgv): a cache of its own, warmed too.
    const worker = ['gateway/main.ts', 'gateway/cluster/worker.ts'].map((file) => `await import(${JSON.stringify(pathToFileURL(join(ROOT, file)).href)});`).join(' ');
    expectAllFromCache(node([...workerExecArgv([]), '--input-type=module', '-e', worker], { NODE_COMPILE_CACHE: cache, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' }), ['gateway/main.ts']);
  }, 90_000);

  it("`npm start` names the cache before Node loads the gateway's entry, so the primary's own file comes from it too", () => {
    const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
    expect(start).toContain(`NODE_COMPILE_CACHE=\${NODE_COMPILE_CACHE:-${relative(ROOT, DEFAULT_COMPILE_CACHE_DIR)}}`);
    expect(start).toMatch(/exec node gateway\/main\.ts$/);
  });

  it('defaults to node_modules/.cache and names it, absolute, for the processes the gateway starts', () => {
    expect(outcomeWith({})).toEqual({ outcome: 'enabled', env: DEFAULT_COMPILE_CACHE_DIR });
    expect(DEFAULT_COMPILE_CACHE_DIR).toBe(join(ROOT, 'node_modules/.cache/fullon-compile-cache'));
  });

  it("keeps an operator's NODE_COMPILE_CACHE (made absolute) and honours NODE_DISABLE_COMPILE_CACHE", () => {
    const mine = tempDir();
    expect(outcomeWith({ NODE_COMPILE_CACHE: mine })).toEqual({ outcome: 'already enabled', env: mine });
    // Relative to the gateway's directory; a child may run elsewhere, so it is passed on absolute.
    expect(outcomeWith({ NODE_COMPILE_CACHE: relative(ROOT, join(mine, 'nested')) })).toEqual({ outcome: 'already enabled', env: join(mine, 'nested') });
    expect(outcomeWith({ NODE_DISABLE_COMPILE_CACHE: '1' })).toEqual({ outcome: 'disabled', env: null });
  });

  it('reaches supervised children through their minimal environment', () => {
    const env = buildChildEnv({
      name: 'orm_api',
      gatewayEnv: { NODE_COMPILE_CACHE: '/srv/cache', NODE_DISABLE_COMPILE_CACHE: '1', JWT_SECRET_KEY: 'secret' },
      configured: {},
      port: 4000,
      upstreamUrls: new Map(),
      identity: {},
    });
    expect(env).toMatchObject({ NODE_COMPILE_CACHE: '/srv/cache', NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(env).not.toHaveProperty('JWT_SECRET_KEY');
  });
});
