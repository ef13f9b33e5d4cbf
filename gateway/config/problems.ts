// Problems found in a routes file: collected (never thrown one at a time, so
// `check` can print them all) and formatted as `file:line:col: path: message`.
import { basename } from 'node:path';
import type { ConfigProblem } from './types.ts';

/**
 * Where a problem is, without what was found there: safe for public endpoints,
 * since a message may echo a value interpolated from a secret variable.
 */
export function locateProblem(problem: ConfigProblem): string {
  return `${basename(problem.file)}:${problem.line}:${problem.column}: ${problem.path}`;
}

export function formatProblem(problem: ConfigProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.path}: ${problem.message}`;
}

export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems.map(formatProblem).join('\n');
}

/** Thrown by loadConfigFile's strict variant; carries every problem. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(`invalid routes file:\n${formatProblems(problems)}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
