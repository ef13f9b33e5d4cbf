// Starts a project process (an upstream or the gateway) on a free port and waits
// for its JSON "listening" log line; stop() sends SIGTERM and awaits the exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

// A child must never outlive the test worker that started it, even when the
// worker is killed: setpriv's pdeathsig makes the kernel signal it, and the exit
// hook covers normal worker exits.
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface StartedProcess {
  child: ChildProcess;
  port: number;
  url: string;
  output: string[];
  /**
   * Resolves with the first JSON log line (already written or still to come) that
   * `check` accepts: a test waits for what the process says it did, not for time.
   */
  logged(check: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startProcess(script: string, env: Record<string, string | undefined>, timeoutMs = 20_000): Promise<StartedProcess> {
  const argv = SETPRIV ? ['--pdeathsig', 'SIGKILL', '--', process.execPath, script] : [script];
  const child = spawn(SETPRIV ?? process.execPath, argv, {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const lineWatchers = new Set<(line: string) => void>();
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A child that never said it listens is still running: end it, or it outlives the test.
      child.kill('SIGKILL');
      reject(new Error(`${script} did not start within ${timeoutMs} ms:\n${output.join('\n')}`));
    }, timeoutMs);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        for (const watcher of lineWatchers) watcher(line);
        try {
          const entry = JSON.parse(line) as { msg?: string; port?: number; pid?: number };
          // Its own line only: a gateway relays its supervised children's "listening" lines too (with their pids).
          if (entry.msg === 'listening' && typeof entry.port === 'number' && (entry.pid === undefined || entry.pid === child.pid)) {
            clearTimeout(timer);
            resolve(entry.port);
          }
        } catch {
          /* not JSON */
        }
      });
    }
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${output.join('\n')}`));
    });
  });
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    output,
    logged(check) {
      const accepted = (line: string): Record<string, unknown> | undefined => {
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          return entry && typeof entry === 'object' && check(entry) ? entry : undefined;
        } catch {
          return undefined; // not JSON
        }
      };
      for (const line of output) {
        const entry = accepted(line);
        if (entry) return Promise.resolve(entry);
      }
      return new Promise((resolve, reject) => {
        const watcher = (line: string) => {
          const entry = accepted(line);
          if (!entry) return;
          lineWatchers.delete(watcher);
          resolve(entry);
        };
        lineWatchers.add(watcher);
        // A process that exits will never write the line: fail now, not at the test's timeout.
        void exited.then(() => {
          if (lineWatchers.delete(watcher)) reject(new Error(`${script} exited before the awaited log line:\n${output.slice(-20).join('\n')}`));
        });
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}
