// Finds what a benchmark needs (Debian binaries, npm packages) up front and
// fails with one clear message naming the missing package and how to install it.
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export class MissingRequirementError extends Error {
  readonly code = 'BENCH_MISSING_REQUIREMENT';
}

/** Absolute path of an executable on PATH (or in /usr/sbin, where Debian puts nginx), or null. */
export function findBinary(name: string): string | null {
  const path = `${process.env.PATH ?? ''}:/usr/sbin:/sbin:/usr/local/sbin`;
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { env: { ...process.env, PATH: path }, encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** Like findBinary but throws naming the Debian package to install. */
export function requireBinary(name: string, debianPackage = name): string {
  const found = findBinary(name);
  if (found) return found;
  throw new MissingRequirementError(
    `benchmark needs "${name}" (Debian package ${debianPackage}), which is not installed: ` +
      `apt-get update && apt-get install -y ${debianPackage}`,
  );
}

/** Throws naming the npm devDependency to install when a package cannot be resolved from the repo. */
export function requirePackage(name: string): void {
  const require = createRequire(join(process.cwd(), 'package.json'));
  try {
    require.resolve(`${name}/package.json`);
  } catch {
    try {
      require.resolve(name);
    } catch {
      throw new MissingRequirementError(
        `benchmark needs the npm package "${name}", which is not installed: npm install (it is a devDependency) or npm install -D ${name}`,
      );
    }
  }
}

/** First line of a command's output, stdout or stderr (nginx -v writes to stderr), or "unknown". */
export function describeVersion(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  const text = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  return text.split('\n')[0] || 'unknown';
}
