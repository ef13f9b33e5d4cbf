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
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startProcess(script: string, env: Record<string, string | undefined>, timeoutMs = 20_000): Promise<StartedProcess> {
  const argv = SETPRIV ? ['--pdeathsig', 'SIGKILL', '--', process.execPath, script] : [script];
  const child = spawn(SETPRIV ?? process.execPath, argv, {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
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
        try {
          const entry = JSON.parse(line) as { msg?: string; port?: number };
          if (entry.msg === 'listening' && typeof entry.port === 'number') {
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
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}
