// `npm run warm-cache`, and npm's postinstall: fills Node's compile cache
// (process/compile-cache.ts) with the modules of every process a start runs, so
// the very first `npm start` after `npm ci` already loads them from the cache
// (docs/cold-start.md). It imports each entry point (they run only as a process's
// main module: `import.meta.main`) and what each imports. Node keeps one cache per
// set of V8 flags, so the gateway's modules are warmed a second time, in a child
// started with the workers' flags. Never fails the install: a cold cache only costs time.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { flushCompileCache } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { workerExecArgv } from '../cluster/worker-node-flags.ts';
import { enableStackCompileCache, nodeEntriesOf, relativeImportsOf } from '../process/compile-cache.ts';

const root = resolve(import.meta.dirname, '../..');
const GATEWAY_ENTRY = 'gateway/main.ts';
/** Given to the child that warms what the gateway's workers load, under their flags. */
const WORKER_PASS = '--workers-pass';
const workerPass = process.argv.includes(WORKER_PASS);

/** The gateway's own entry and every `node` command of the default routes.yaml (only the gateway's in the workers' pass). */
function entries(): string[] {
  if (workerPass) return [GATEWAY_ENTRY];
  const routes: unknown = parse(readFileSync(join(root, 'routes.yaml'), 'utf8'));
  return [GATEWAY_ENTRY, ...nodeEntriesOf(routes)];
}

/** Warms the workers' cache: a workers' V8 flags (worker-node-flags.ts) give them a cache directory of their own. */
function warmWorkersCache(): void {
  const run = spawnSync(process.execPath, [...workerExecArgv([]), import.meta.filename, WORKER_PASS], { stdio: 'inherit', env: process.env });
  if (run.status !== 0) process.stderr.write(`warning: the workers' compile cache was not warmed (exit ${run.status ?? run.signal}); their first start compiles their modules instead (slower)\n`);
}

const started = performance.now();
try {
  const outcome = enableStackCompileCache();
  if (outcome !== 'enabled' && outcome !== 'already enabled') {
    process.stdout.write(`compile cache ${outcome}: not warmed\n`);
  } else {
    const modules = new Set<string>();
    for (const entry of entries()) {
      const file = join(root, entry);
      modules.add(file);
      for (const specifier of relativeImportsOf(readFileSync(file, 'utf8'))) modules.add(resolve(dirname(file), specifier));
    }
    for (const module of modules) await import(pathToFileURL(module).href);
    flushCompileCache();
    const pass = workerPass ? ` with the workers' flags (${workerExecArgv([]).join(' ')})` : '';
    process.stdout.write(`compile cache in ${process.env.NODE_COMPILE_CACHE}: warmed from ${modules.size} modules${pass} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    if (!workerPass) warmWorkersCache();
  }
} catch (error) {
  process.stderr.write(`warning: compile cache not warmed (${(error as Error).message}); the first start compiles its modules instead (slower)\n`);
}
// The cache is flushed; an imported module's open handle must not keep the install waiting.
process.exit(0);
