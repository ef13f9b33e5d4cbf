// Real child processes for the supervisor: each in its own process group (so stop
// reaches grandchildren too), killed by the kernel if the gateway dies (setpriv
// --pdeathsig), output delivered line by line. The supervisor sees only ChildHandle.
import { spawn, spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
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
  const found = spawnSync('sh', ['-c', 'command -v setpriv'], { encoding: 'utf8' });
  setprivPath = found.status === 0 && found.stdout.trim() ? found.stdout.trim() : null;
  return setprivPath;
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

export const spawnProcess: Spawner = (request) => {
  const handle = new ProcessChild();
  const argv = resolveCommand(request.command);
  const setpriv = findSetpriv();
  const full = setpriv ? [setpriv, '--pdeathsig', 'SIGTERM', '--', ...argv] : argv;
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
};
