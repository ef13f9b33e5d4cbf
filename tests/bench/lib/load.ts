// Picks the load generator once: wrk (preferred: C, light on a 2-core machine)
// or, when it is missing, autocannon from the devDependencies. Neither → a clear
// error naming the package to install. BENCH_LOADGEN=autocannon forces the fallback.
import { runAutocannon } from './autocannon.ts';
import { findBinary, MissingRequirementError, requirePackage } from './requirements.ts';
import { runWrk, type LoadResult, type LoadSpec } from './wrk.ts';

export type LoadGeneratorName = 'wrk' | 'autocannon';

let chosen: LoadGeneratorName | null = null;

export function chooseLoadGenerator(): LoadGeneratorName {
  if (chosen) return chosen;
  const forced = process.env.BENCH_LOADGEN;
  if (forced !== 'autocannon' && findBinary('wrk')) return (chosen = 'wrk');
  try {
    requirePackage('autocannon');
    return (chosen = 'autocannon');
  } catch {
    throw new MissingRequirementError(
      'benchmark needs a load generator: wrk (Debian package wrk: apt-get update && apt-get install -y wrk) ' +
        'or the npm devDependency autocannon (npm install)',
    );
  }
}

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return chooseLoadGenerator() === 'wrk' ? runWrk(spec) : runAutocannon(spec);
}
