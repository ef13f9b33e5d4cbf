// Reads the `.env` file (or the one ENV_FILE names) into the environment before
// any setting is read, as `node --env-file-if-exists` would: variables already in
// the environment win, even when empty. ENV_FILE set to an empty string reads
// none (the test suite does that, so a developer's .env never reaches a test).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

export const DEFAULT_ENV_FILE = '.env';

export class EnvFileError extends Error {
  readonly code = 'ENV_FILE_MISSING';
}

/** Loads the file into `env` when it exists; returns its absolute path, or null when none was read. */
export function loadEnvFile(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | null {
  const name = env.ENV_FILE ?? DEFAULT_ENV_FILE;
  if (name === '') return null;
  const file = resolve(cwd, name);
  if (!existsSync(file)) {
    // A file named explicitly must exist; the default one is optional.
    if (env.ENV_FILE !== undefined) throw new EnvFileError(`ENV_FILE=${name}: no such file (${file})`);
    return null;
  }
  for (const [key, value] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) {
    if (env[key] === undefined && value !== undefined) env[key] = value;
  }
  return file;
}
