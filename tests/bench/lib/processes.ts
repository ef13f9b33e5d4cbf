// Starts a benchmark participant (a Node script or a binary) as its own process
// and waits until it is ready: the {"msg":"listening","port":N} log line for our
// scripts, a successful TCP connect for binaries such as nginx. Output goes to a
// file when asked (so a gateway's access log is really written somewhere) or is
// drained and dropped.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as wait } from 'node:timers/promises';
import { withPriority } from './priority.ts';

export interface BenchProcess {
  name: string;
  child: ChildProcess;
  port: number;
  url: string;
  /** Date.now() when the process was spawned (to line a CPU profile up with the load). */
  spawnedAt: number;
  /** Captured output (only when not written to a file). */
  output(): string;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string | undefined>;
  /** Write stdout+stderr here instead of a pipe. */
  logFile?: string;
  timeoutMs?: number;
}

const READY_POLL_MS = 20;

/** Every participant still running, so an interrupted benchmark leaves none behind. */
const live = new Set<ChildProcess>();

/**
 * SIGTERMs every participant still running (synchronous: usable from an 'exit'
 * handler). Not SIGKILL: nginx's workers outlive a killed master, while on
 * SIGTERM the master stops them; our Node participants exit on SIGTERM.
 */
export function killAllParticipants(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  live.clear();
}

/** Spawns a process that prints {"msg":"listening","port":N} and resolves with that port. */
export async function startListeningProcess(options: SpawnOptions): Promise<BenchProcess> {
  const { child, output, exited, spawnedAt } = spawnParticipant(options);
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    const port = findListeningPort(output());
    if (port !== null) return describe(options.name, child, port, output, exited, spawnedAt);
    await wait(READY_POLL_MS);
  }
  child.kill('SIGKILL');
  throw new Error(`${options.name} did not report listening (exit ${child.exitCode ?? child.signalCode ?? 'none'}):\n${output().slice(-4000)}`);
}

/** Spawns a process told to listen on `port` and resolves once a TCP connect succeeds. */
export async function startProcessOnPort(options: SpawnOptions & { port: number }): Promise<BenchProcess> {
  const { child, output, exited, spawnedAt } = spawnParticipant(options);
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    if (await canConnect(options.port)) return describe(options.name, child, options.port, output, exited, spawnedAt);
    await wait(READY_POLL_MS);
  }
  child.kill('SIGKILL');
  throw new Error(`${options.name} did not start listening on ${options.port} (exit ${child.exitCode ?? 'none'}):\n${output().slice(-4000)}`);
}

function spawnParticipant(options: SpawnOptions) {
  const fd = options.logFile ? openSync(options.logFile, 'a') : null;
  const spawnedAt = Date.now();
  const [command, args] = withPriority(options.command, options.args);
  const child = spawn(command, args, {
    env: { ...process.env, ...options.env },
    stdio: fd === null ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
  });
  if (fd !== null) closeSync(fd);
  live.add(child);
  child.once('exit', () => live.delete(child));
  const chunks: string[] = [];
  let captured = 0;
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      // Keep the head (startup lines) and stop storing once large: a chatty process must not grow our memory.
      if (captured < 1_000_000) chunks.push(chunk);
      captured += chunk.length;
    });
  }
  const output = (): string => (options.logFile ? readHead(options.logFile) : chunks.join(''));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, output, exited, spawnedAt };
}

function readHead(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(0, 1_000_000);
  } catch {
    return '';
  }
}

function findListeningPort(text: string): number | null {
  for (const line of text.split('\n')) {
    if (!line.includes('"listening"')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; port?: number; service?: string };
      // Not a supervised child's line relayed by a gateway (those name the child's service).
      if (entry.msg === 'listening' && typeof entry.port === 'number' && (entry.service === undefined || entry.service === 'gateway')) return entry.port;
    } catch {
      /* not a JSON line */
    }
  }
  return null;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function describe(name: string, child: ChildProcess, port: number, output: () => string, exited: Promise<void>, spawnedAt: number): BenchProcess {
  return {
    name,
    spawnedAt,
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
