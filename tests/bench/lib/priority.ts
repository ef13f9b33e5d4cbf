// These 2-core machines are shared with other work (test runs, type checks).
// Starting every benchmark participant through `nice -n -10` (before exec, so
// all its threads inherit it) keeps that background work from landing on one
// row more than another. Needs root; otherwise commands run unchanged.
import { findBinary } from './requirements.ts';

export const BENCH_NICE = -10;

const nice = process.getuid?.() === 0 ? findBinary('nice') : null;

/** [command, args] to spawn so the process runs at the benchmark's raised priority when allowed. */
export function withPriority(command: string, args: string[]): [string, string[]] {
  return nice ? [nice, ['-n', String(BENCH_NICE), command, ...args]] : [command, args];
}

export const priorityNote = nice ? `participants at nice ${BENCH_NICE}` : 'participants at normal priority (not root)';
