// The Node/V8 flags a data-plane worker starts with: the primary's own (what the
// operator ran `node` with), plus V8's allocation-site pretenuring turned off.
//
// Why (measured; docs/workers.md "The workers' V8 flags", docs/benchmarks.md tenth
// pass): under a burst V8 pretenured ~25 per-request allocation sites; those objects
// still died with their request, but in the old generation, where what they pointed
// to stayed alive through every scavenge (9 % survival instead of 1 %, scavenges
// twice as long). A proxy's objects live for one request or for the process.
//
// An operator who wants it back starts the gateway with
// `node --allocation-site-pretenuring gateway/main.ts`: a choice already made on
// the primary's command line is kept, not overridden.
export const WORKER_V8_FLAGS = ['--no-allocation-site-pretenuring'] as const;

/** execArgv for a worker: the primary's flags plus WORKER_V8_FLAGS the operator did not already set either way. */
export function workerExecArgv(primaryExecArgv: readonly string[]): string[] {
  const chosen = new Set(primaryExecArgv.map(flagName));
  return [...primaryExecArgv, ...WORKER_V8_FLAGS.filter((flag) => !chosen.has(flagName(flag)))];
}

/** A V8 boolean flag's name without its --no- / -- prefix and value, with V8's _ and - taken as one. */
function flagName(arg: string): string {
  return arg
    .replace(/=.*$/, '')
    .replace(/^--(no-)?/, '')
    .replaceAll('_', '-');
}
