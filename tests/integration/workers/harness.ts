// A real gateway (gateway/main.ts) with WORKERS=2 for the worker suite, and what
// the tests read back from its JSON log: the workers' pids, which worker served a
// request (its access line's pid), the primary's own lines.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '../../fixtures/processes/wait.ts';
import { startProcess, type StartedProcess } from '../../helpers/processes.ts';
import { eventually, request, type SimpleResponse } from '../gateway/proxy/harness.ts';

export { eventually, request };

export interface LogLine {
  msg?: string;
  pid?: number;
  worker?: number;
  worker_pid?: number;
  worker_pids?: number[];
  path?: string;
  status?: number;
  [key: string]: unknown;
}

export interface WorkersGateway {
  process: StartedProcess;
  url: string;
  dir: string;
  routesFile: string;
  primaryPid: number;
  /** Parsed JSON lines so far. */
  lines(): LogLine[];
  /** The pids of the workers serving now (the primary's "worker N serving" lines, latest per slot). */
  workerPids(): number[];
  /** Pids of the workers whose access lines mention this exact path. */
  servedBy(path: string): number[];
  /** A request on its own connection, so consecutive ones go to different workers. */
  get(path: string, headers?: Record<string, string>): Promise<SimpleResponse>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const running = new Set<WorkersGateway>();

export async function startWorkersGateway(routes: string, env: Record<string, string> = {}): Promise<WorkersGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'fullon-workers-'));
  const routesFile = join(dir, 'routes.yaml');
  await writeFile(routesFile, routes);
  const started = await startProcess('gateway/main.ts', { WORKERS: '2', ROUTES_FILE: routesFile, DATA_DIR: dir, JWT_SECRET_KEY: 'w'.repeat(40), HEALTH_CHECK_INTERVAL_SECONDS: '60', ...env }, 40_000);
  const lines = () =>
    started.output.flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
  const gateway: WorkersGateway = {
    process: started,
    url: started.url,
    dir,
    routesFile,
    primaryPid: started.child.pid!,
    lines,
    workerPids() {
      const bySlot = new Map<number, number>();
      for (const line of lines()) if (line.pid === started.child.pid && typeof line.worker === 'number' && typeof line.worker_pid === 'number' && /^worker \d+ serving/.test(line.msg ?? '')) bySlot.set(line.worker, line.worker_pid);
      return [...bySlot.values()];
    },
    servedBy(path) {
      return [...new Set(lines().flatMap((line) => (line.msg === 'request' && line.path === path && typeof line.pid === 'number' ? [line.pid] : [])))];
    },
    get: (path, headers) => request(`${started.url}${path}`, { headers }),
    async stop(signal = 'SIGTERM') {
      running.delete(gateway);
      const code = await started.stop(signal);
      await rm(dir, { recursive: true, force: true });
      return code;
    },
  };
  running.add(gateway);
  return gateway;
}

/** Ends whatever a test left running (its workers go with the primary). */
export async function stopAll(): Promise<void> {
  for (const gateway of [...running]) {
    const pids = gateway.workerPids();
    await gateway.stop('SIGKILL');
    for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}

/** Requests on fresh connections until both workers have served `path` (round-robin: two are enough, a few more for safety). */
export async function hitEveryWorker(gateway: WorkersGateway, path: (i: number) => string, count = 8): Promise<SimpleResponse[]> {
  const answers: SimpleResponse[] = [];
  for (let i = 0; i < count; i++) answers.push(await gateway.get(path(i)));
  return answers;
}

/** The log line matching `check` appears (the gateway's output is read as it comes). */
export async function logged(gateway: WorkersGateway, check: (line: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> {
  let found: LogLine | undefined;
  await eventually(() => (found = gateway.lines().find(check)) !== undefined, timeoutMs);
  return found!;
}
