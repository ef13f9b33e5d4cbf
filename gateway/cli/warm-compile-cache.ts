// `npm run warm-cache`, and npm's postinstall: fills Node's compile cache
// (process/compile-cache.ts) with the modules of every process a start runs, so
// the very first `npm start` after `npm ci` already loads them from the cache
// (docs/cold-start.md). It imports what each entry point imports, without
// running the entries. Never fails the install: a cold cache only costs time.
import { readFileSync } from 'node:fs';
import { flushCompileCache } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { enableStackCompileCache, nodeEntriesOf, relativeImportsOf } from '../process/compile-cache.ts';

const root = resolve(import.meta.dirname, '../..');

/** The gateway's own entry and every `node` command of the default routes.yaml. */
function entries(): string[] {
  const routes: unknown = parse(readFileSync(join(root, 'routes.yaml'), 'utf8'));
  return ['gateway/main.ts', ...nodeEntriesOf(routes)];
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
      for (const specifier of relativeImportsOf(readFileSync(file, 'utf8'))) modules.add(resolve(dirname(file), specifier));
    }
    for (const module of modules) await import(pathToFileURL(module).href);
    flushCompileCache();
    process.stdout.write(`compile cache in ${process.env.NODE_COMPILE_CACHE}: warmed from ${modules.size} modules in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
} catch (error) {
  process.stderr.write(`warning: compile cache not warmed (${(error as Error).message}); the first start compiles its modules instead (slower)\n`);
}
// The cache is flushed; an imported module's open handle must not keep the install waiting.
process.exit(0);
