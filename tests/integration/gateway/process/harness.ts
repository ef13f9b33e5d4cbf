// Real gateway processes for the signal and start-up tests: a routes file with
// one url-only upstream (no children, so a gateway starts in well under a second),
// a private DATA_DIR, and helpers to read pids and wait for them to go.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = resolve(import.meta.dirname, '../../../..');

export interface Workspace {
  dir: string;
  dataDir: string;
  routesFile: string;
  pidFile: string;
  env: Record<string, string>;
  remove(): void;
}

export function createWorkspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-process-'));
  const dataDir = join(dir, 'data');
  const routesFile = join(dir, 'routes.yaml');
  writeFileSync(routesFile, 'upstreams:\n  stub: { url: "http://127.0.0.1:9" }\nroutes:\n  - { prefix: /stub, upstream: stub, auth: public }\n');
  return {
    dir,
    dataDir,
    routesFile,
    pidFile: join(dataDir, 'gateway.pid'),
    env: { ROUTES_FILE: routesFile, DATA_DIR: dataDir, PORT: '0', JWT_SECRET_KEY: 'k'.repeat(40), LOG_LEVEL: 'info', ENV_FILE: '' },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Lines a process writes on stdout and stderr, with a way to await one. */
export function collectLines(child: ChildProcess): { lines: string[]; waitFor(match: (line: string) => boolean, timeoutMs?: number): Promise<string> } {
  const lines: string[] = [];
  const waiters: Array<{ match: (line: string) => boolean; resolve: (line: string) => void }> = [];
  const onLine = (line: string) => {
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (!waiter.match(line)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  };
  for (const stream of [child.stdout, child.stderr]) if (stream) createInterface({ input: stream }).on('line', onLine);
  return {
    lines,
    waitFor(match, timeoutMs = 20_000) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolvePromise, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching line within ${timeoutMs} ms:\n${lines.slice(-30).join('\n')}`)), timeoutMs);
        waiters.push({ match, resolve: (line) => (clearTimeout(timer), resolvePromise(line)) });
      });
    },
  };
}

/** Runs a command to its end and returns its exit code and output (for start-up failures). */
export function runToExit(command: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string[] }> {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const { lines } = collectLines(child);
  return new Promise((resolvePromise) => child.once('close', (code) => resolvePromise({ code, output: lines })));
}

/** Alive and not a zombie (an orphan's zombie lingers until init reaps it). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** Polls for a condition on another process (no event exists for a stranger's exit or file). */
export async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 25));
  }
}

export function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
