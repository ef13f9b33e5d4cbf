// The Node/V8 flags a data-plane worker starts with: the primary's own (what the
// operator ran `node` with), plus V8's allocation-site pretenuring turned off.
//
// Why: V8 watches where objects are allocated, and when most objects from one
// allocation site survive a scavenge it allocates that site's objects straight
// in the old generation from then on. A worker under a burst (a few hundred
// connections opening at once, a slow spell of the host) has many requests in
// flight at a scavenge, so per-request objects look long-lived and ~25 sites get
// pretenured (`--trace-pretenuring-statistics`). Those objects die young anyway,
// but in the old generation: every pointer they held to young objects (the
// upstream's response headers, the request's header strings) then keeps those
// alive through each scavenge until the next mark-compact. Measured at 6 000
// req/s (docs/benchmarks.md, tenth pass): 9 % of the young generation survived
// each scavenge instead of 1 %, the young generation grew to its 64 MB limit,
// scavenges paused twice as long, and the JWT row's p99 was 3–6× the bare
// proxy's. With pretenuring off the survivors fell to the bare proxy's level.
// A proxy's objects live for one request or for the process; neither needs it.
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
