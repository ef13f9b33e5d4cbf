// Real child processes for the supervisor: each in its own process group (so stop
// reaches grandchildren too), stopped by the kernel if the gateway dies (setpriv
// --pdeathsig; watchdog.ts where setpriv is missing), output delivered line by
// line. The supervisor sees only ChildHandle.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SUPERVISOR_POLICY } from './policy.ts';

export interface SpawnRequest {
  name: string;
  command: string[];
  cwd: string;
  env: Record<string, string>;
}

export interface ChildEvents {
  line: [stream: 'stdout' | 'stderr', line: string];
  /** Exactly once, after the output flushed (or could not be started: code null, signal null). */
  exit: [code: number | null, signal: string | null];
}

export interface ChildHandle extends EventEmitter<ChildEvents> {
  readonly pid: number | null;
  readonly exited: boolean;
  /** Signals the whole process group. */
  signal(signal: NodeJS.Signals): void;
}

export type Spawner = (request: SpawnRequest) => ChildHandle;

let setprivPath: string | null | undefined;

/** util-linux setpriv, when present, so the kernel sends SIGTERM to the child when the gateway dies (even by SIGKILL). */
export function findSetpriv(): string | null {
  if (setprivPath !== undefined) return setprivPath;
  if (process.platform !== 'linux') return (setprivPath = null);
  // A PATH lookup of our own: asking a shell (`command -v`) cost a process spawn on
  // the gateway's first start, while every upstream was booting.
  setprivPath = executableOnPath('setpriv', process.env.PATH ?? '');
  return setprivPath;
}

function executableOnPath(name: string, path: string): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir.startsWith('/')) continue; // a relative PATH entry would depend on the cwd
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}

/** A leading "node" runs with the gateway's own Node binary (the system one may be too old). */
export function resolveCommand(command: string[]): string[] {
  const [first, ...rest] = command;
  if (first === 'node') return [process.execPath, ...rest];
  return command;
}

class ProcessChild extends EventEmitter<ChildEvents> implements ChildHandle {
  pid: number | null = null;
  exited = false;

  signal(signal: NodeJS.Signals): void {
    if (this.pid === null || this.exited) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // The group is gone already; the exit event follows or came.
    }
  }

  reportExit(code: number | null, signal: string | null): void {
    if (this.exited) return;
    this.exited = true;
    this.emit('exit', code, signal);
  }
}

/** How a child is kept from outliving the gateway: kernel pdeathsig, a watchdog process, or nothing. */
export type OrphanGuard = 'auto' | 'setpriv' | 'watchdog' | 'none';

const WATCHDOG = fileURLToPath(new URL('./watchdog.ts', import.meta.url));

export function guardedArgv(argv: string[], guard: OrphanGuard): string[] {
  const setpriv = guard === 'auto' || guard === 'setpriv' ? findSetpriv() : null;
  if (setpriv) return [setpriv, '--pdeathsig', 'SIGTERM', '--', ...argv];
  if (guard === 'setpriv') throw new Error('setpriv (util-linux) is not installed');
  if (guard === 'none') return argv;
  return [process.execPath, WATCHDOG, '--', ...argv];
}

export function createProcessSpawner(options: { orphanGuard?: OrphanGuard } = {}): Spawner {
  const guard = options.orphanGuard ?? 'auto';
  return (request) => spawnGuarded(request, guard);
}

export const spawnProcess: Spawner = createProcessSpawner();

function spawnGuarded(request: SpawnRequest, guard: OrphanGuard): ChildHandle {
  const handle = new ProcessChild();
  const full = guardedArgv(resolveCommand(request.command), guard);
  const child = spawn(full[0] as string, full.slice(1), {
    cwd: request.cwd,
    env: request.env,
    // detached: the child leads a new process group, so kill(-pid) stops all of it.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  handle.pid = child.pid ?? null;
  let open = 2;
  let exit: { code: number | null; signal: string | null } | null = null;
  let flushTimer: NodeJS.Timeout | null = null;
  const finish = () => {
    if (flushTimer) clearTimeout(flushTimer);
    if (exit) handle.reportExit(exit.code, exit.signal);
  };
  for (const [stream, name] of [[child.stdout, 'stdout'], [child.stderr, 'stderr']] as const) {
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => handle.emit('line', name, line));
    lines.once('close', () => {
      open--;
      if (open === 0 && exit) finish();
    });
  }
  child.once('error', (error) => {
    handle.emit('line', 'stderr', `spawn failed: ${error.message}`);
    if (child.pid === undefined) handle.reportExit(null, null);
  });
  child.once('exit', (code, signal) => {
    exit = { code, signal };
    if (open === 0) return finish();
    // A grandchild may hold the pipes open; do not wait for it forever.
    flushTimer = setTimeout(finish, SUPERVISOR_POLICY.outputFlushMs);
  });
  return handle;
}
