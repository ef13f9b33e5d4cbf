// Node's module compile cache for the whole stack (docs/cold-start.md). Every
// process of a start (the primary, its workers, the upstreams, the collectors)
// loads hundreds of modules, and on a first start six of them do so at once on
// the cores `/health/check` waits for. With the cache, Node keeps V8's compiled
// code and its TypeScript type stripping on disk and reuses them: about half of
// a process's module-loading CPU. Node checks each entry against the source's
// hash, so an edited file is compiled afresh, never served stale.
//
// NODE_COMPILE_CACHE is how it reaches the other processes: cluster workers inherit
// the environment, supervised children get it through child-env.ts.
import { constants, enableCompileCache } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Inside node_modules, like the PGlite templates: git never sees it, and `npm ci` starts it afresh. */
export const DEFAULT_COMPILE_CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/fullon-compile-cache', import.meta.url));

export type CompileCacheOutcome = 'enabled' | 'already enabled' | 'disabled' | 'failed' | 'unsupported';

/**
 * Turns the cache on for this process (modules loaded from now on) and names it in
 * `env` for the processes it starts. An operator's NODE_COMPILE_CACHE directory
 * is kept; NODE_DISABLE_COMPILE_CACHE turns it off everywhere. A cache that
 * cannot be written only costs time.
 */
export function enableStackCompileCache(env: NodeJS.ProcessEnv = process.env): CompileCacheOutcome {
  if (env.NODE_DISABLE_COMPILE_CACHE) return 'disabled';
  // Node 22.0–22.7 had no enableCompileCache (22.8 added it).
  if (typeof enableCompileCache !== 'function') return 'unsupported';
  // Absolute: a child may run in another working directory.
  const directory = resolve(env.NODE_COMPILE_CACHE || DEFAULT_COMPILE_CACHE_DIR);
  env.NODE_COMPILE_CACHE = directory;
  const { status } = enableCompileCache(directory);
  if (status === constants.compileCacheStatus.ENABLED) return 'enabled';
  if (status === constants.compileCacheStatus.ALREADY_ENABLED) return 'already enabled';
  if (status === constants.compileCacheStatus.DISABLED) return 'disabled';
  return 'failed';
}

/** The project-relative source files `routes.yaml` runs with `node` (the supervised upstreams and services). */
export function nodeEntriesOf(routes: unknown): string[] {
  const entries = new Set<string>();
  for (const section of ['upstreams', 'services'] as const) {
    const units = (routes as Record<string, unknown> | null)?.[section];
    if (!units || typeof units !== 'object') continue;
    for (const unit of Object.values(units as Record<string, unknown>)) {
      const command = (unit as { process?: { command?: unknown } } | null)?.process?.command;
      if (Array.isArray(command) && command[0] === 'node' && typeof command[1] === 'string' && /^[\w./-]+\.[cm]?[jt]s$/.test(command[1])) entries.add(command[1]);
    }
  }
  return [...entries];
}

const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

/** What an entry file imports by relative path (statically, or with a literal import()): importing those loads its module graph without running the entry. */
export function relativeImportsOf(source: string): string[] {
  return [...new Set([...source.matchAll(RELATIVE_IMPORT)].map((match) => match[1]!))];
}
