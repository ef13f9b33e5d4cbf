// Starts everything the gateway benchmark compares, each as its own process on
// the same stub upstream: the stub itself (direct), nginx, the two Node peers, a
// bare node:http proxy (the floor any Node proxy starts from),
// and this gateway twice (access log on, as deployed; and off, to show its cost).
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNginx } from '../lib/nginx.ts';
import { startListeningProcess, type BenchProcess } from '../lib/processes.ts';
import { requirePackage } from '../lib/requirements.ts';
import { mintBenchToken } from './token.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '..', '..', '..');
/** Which tree's gateway/main.ts the gateway rows run: BENCH_GATEWAY_ROOT compares a candidate change (A/B). */
const GATEWAY_ROOT = resolve(process.env.BENCH_GATEWAY_ROOT || REPO_ROOT);
/** Another tree (e.g. a checkout of main) whose gateway+JWT runs as one more row in the same run: an interleaved A/B. */
const BASELINE_ROOT = process.env.BENCH_BASELINE_ROOT ? resolve(process.env.BENCH_BASELINE_ROOT) : null;
export const BASELINE_ROW = 'gateway+JWT (baseline tree)';
/** The stub upstream asked directly: the floor every proxy row adds to. */
export const DIRECT_ROW = 'direct';
/**
 * A second, identical bare node:http proxy: an A/A control. How far it lands from
 * the first in the same run is how far two rows can differ with nothing between
 * them but chance, so a ratio or an added p99 closer than that is not resolved.
 */
// No comma in the name: --rows takes a comma-separated list.
export const AA_ROW = 'node:http bare proxy #2 (A/A)';
/** gateway+JWT with the access log off (no comma: --rows takes a comma-separated list). */
export const JWT_LOG_OFF_ROW = 'gateway+JWT (access log off)';

/** One row of the table: where to send requests and with which headers. */
export interface Target {
  name: string;
  /** Base URL including the path prefix; the workload appends /small or /echo. */
  base: string;
  headers: Record<string, string>;
  /** Process whose CPU time (with children) is charged to this row. */
  pid: number | undefined;
  /** When that process was spawned (Date.now()). */
  spawnedAt: number;
  /** The process's output so far (diagnostics, e.g. --trace-gc lines). */
  output: () => string;
}

export interface Participants {
  targets: Target[];
  /** Rows that could not start, with the reason (the run continues without them). */
  missing: Array<{ name: string; reason: string }>;
  gatewayLogFile: string | null;
  stopAll(): Promise<void>;
}

export const BENCH_JWT = { issuer: 'fullon-master-api', audience: 'fullon' } as const;

export interface StartOptions {
  /** Start only these rows' processes (plus the stub); default all. */
  only?: string[];
  /** Extra node flags for every Node participant but the stub (e.g. --cpu-prof, with `only`). */
  nodeFlags?: string[];
  /** Also the two proxy-engine options issue 14 item 2 asked to measure (minimal proxies, `--engines`). */
  engineOptions?: boolean;
}

/** The engine options' rows (only with --engines): what each forwarding mechanism costs with nothing else around it. */
export const ENGINE_OPTION_ROWS = ['option: http-proxy-3 fetch + undici', 'option: undici dispatch'] as const;

export async function startParticipants(options: StartOptions = {}): Promise<Participants> {
  const processes: BenchProcess[] = [];
  const targets: Target[] = [];
  const missing: Participants['missing'] = [];
  const work = await mkdtemp(join(tmpdir(), 'fullon-bench-gateway-'));
  const flags = options.nodeFlags ?? [];
  const node = (script: string) => [...flags, join(HERE, script)];
  const wanted = (name: string) => (!options.only || options.only.includes(name)) && (options.engineOptions === true || !(ENGINE_OPTION_ROWS as readonly string[]).includes(name));

  const stub = await startListeningProcess({ name: 'stub', command: process.execPath, args: [join(HERE, 'stub-upstream.ts')] });
  processes.push(stub);
  targets.push(rowOf(DIRECT_ROW, stub, '/bench'));

  const attempt = async (name: string, start: () => Promise<Target[]>) => {
    if (!wanted(name)) return;
    try {
      targets.push(...(await start()));
    } catch (error) {
      missing.push({ name, reason: summariseFailure(error) });
    }
  };

  await attempt('nginx', async () => {
    const nginx = await startNginx({ upstreamHostPort: `127.0.0.1:${stub.port}`, locations: [{ path: '/bench/', upstreamPath: '/' }] });
    processes.push(nginx);
    return [rowOf('nginx', nginx, '/bench')];
  });
  // The scaling anchor for "gateway, 2 workers": nginx's own master + 2 workers.
  await attempt('nginx, 2 workers', async () => {
    const nginx = await startNginx({ upstreamHostPort: `127.0.0.1:${stub.port}`, locations: [{ path: '/bench/', upstreamPath: '/' }], workerProcesses: 2 });
    processes.push(nginx);
    return [rowOf('nginx, 2 workers', nginx, '/bench')];
  });
  for (const [name, script, pkg] of [
    ['fastify-http-proxy', 'peers/fastify-http-proxy.ts', '@fastify/http-proxy'],
    ['http-proxy-middleware', 'peers/http-proxy-middleware.ts', 'http-proxy-middleware'],
    ['node:http bare proxy', 'peers/bare-node-proxy.ts', null],
    [AA_ROW, 'peers/bare-node-proxy.ts', null],
    [ENGINE_OPTION_ROWS[0], 'peers/http-proxy-3-fetch.ts', null],
    [ENGINE_OPTION_ROWS[1], 'peers/undici-dispatch.ts', null],
  ] as const) {
    await attempt(name, async () => {
      if (pkg) requirePackage(pkg);
      const peer = await startListeningProcess({ name, command: process.execPath, args: node(script), env: { UPSTREAM_URL: stub.url } });
      processes.push(peer);
      return [rowOf(name, peer, '/bench')];
    });
  }

  const secret = randomBytes(32).toString('hex');
  const routesFile = join(work, 'routes.yaml');
  await writeFile(routesFile, renderRoutes(stub.url));
  // One data-plane worker per row (plus the primary), like nginx's worker_processes 1,
  // unless the row is the 2-worker one (docs/workers.md).
  const gatewayEnv = (accessLog: boolean, workers = 1) => ({
    WORKERS: String(workers),
    PORT: '0',
    HOST: '127.0.0.1',
    ROUTES_FILE: routesFile,
    DATA_DIR: join(work, 'data'),
    LOG_LEVEL: 'info',
    ACCESS_LOG: String(accessLog),
    JWT_SECRET_KEY: secret,
    JWT_ISSUER: BENCH_JWT.issuer,
    JWT_AUDIENCE: BENCH_JWT.audience,
    NODE_ENV: 'production',
    // Teardown only: nothing is in flight when the bench stops a gateway.
    SHUTDOWN_GRACE_MS: '2000',
  });
  // Logs live outside the routes file's directory: the reloader watches that
  // directory, and a log growing next to routes.yaml would trigger a reload
  // check every debounce period (a finding of the profile, reported upstream).
  const logs = join(work, 'logs');
  await mkdir(logs);
  const gatewayLogFile = join(logs, 'gateway.log');
  // One process per row: a process serving two rows would carry twice the
  // garbage and heap of the others, which skews the comparison between rows.
  const startGateway = (name: string, accessLog: boolean, workers = 1, root = GATEWAY_ROOT) =>
    startListeningProcess({
      name,
      command: process.execPath,
      args: [...flags, join(root, 'gateway', 'main.ts')],
      env: gatewayEnv(accessLog, workers),
      logFile: join(logs, `${name}.log`),
      timeoutMs: 30_000,
    });
  await attempt('gateway', async () => {
    const gateway = await startGateway('gateway', true);
    processes.push(gateway);
    return [rowOf('gateway', gateway, '/bench')];
  });
  await attempt('gateway+JWT', async () => {
    const token = await mintBenchToken({ secret, ...BENCH_JWT });
    const gateway = await startGateway('gateway-jwt', true);
    processes.push(gateway);
    return [rowOf('gateway+JWT', gateway, '/private', { Authorization: `Bearer ${token}` })];
  });
  // CPU is charged to the whole tree (primary + workers), so CPU µs/req compares with the 1-worker row.
  await attempt('gateway, 2 workers', async () => {
    const pool = await startGateway('gateway-2-workers', true, 2);
    processes.push(pool);
    return [rowOf('gateway, 2 workers', pool, '/bench')];
  });
  if (BASELINE_ROOT !== null) {
    await attempt(BASELINE_ROW, async () => {
      const token = await mintBenchToken({ secret, ...BENCH_JWT });
      const gateway = await startGateway('gateway-jwt-baseline', true, 1, BASELINE_ROOT);
      processes.push(gateway);
      return [rowOf(BASELINE_ROW, gateway, '/private', { Authorization: `Bearer ${token}` })];
    });
  }
  await attempt('gateway (access log off)', async () => {
    const quiet = await startGateway('gateway-quiet', false);
    processes.push(quiet);
    return [rowOf('gateway (access log off)', quiet, '/bench')];
  });
  // The JWT row without its access lines: splits the JWT row's tail at half load into the log's share and the rest.
  await attempt(JWT_LOG_OFF_ROW, async () => {
    const token = await mintBenchToken({ secret, ...BENCH_JWT });
    const quiet = await startGateway('gateway-jwt-quiet', false);
    processes.push(quiet);
    return [rowOf(JWT_LOG_OFF_ROW, quiet, '/private', { Authorization: `Bearer ${token}` })];
  });

  return {
    targets,
    missing,
    gatewayLogFile,
    async stopAll() {
      await Promise.all(processes.reverse().map((child) => child.stop()));
      // The routes file, logs and data of this run's gateways.
      await rm(work, { recursive: true, force: true });
    },
  };
}

function rowOf(name: string, child: BenchProcess, prefix: string, headers: Record<string, string> = {}): Target {
  return { name, base: `${child.url}${prefix}`, headers, pid: child.child.pid, spawnedAt: child.spawnedAt, output: child.output };
}

/** /bench is public; /private needs a user, so the JWT row pays for verification and the gateway assertion. */
function renderRoutes(stubUrl: string): string {
  return `# generated by tests/bench/gateway/participants.ts
upstreams:
  stub:
    url: ${stubUrl}
    health: { path: /health, interval: 10s, timeout: 2s }
    timeouts: { connect: 2s, request: 30s }
  # The gateway asks the orm who a token's user is (role, active); the stub answers for the bench user.
  orm_api:
    url: ${stubUrl}
    health: { path: /health, interval: 10s, timeout: 2s }
services: {}
routes:
  - prefix: /bench
    upstream: stub
    rewrite: ""
    auth: public
    body_limit: 1mb
  - prefix: /private
    upstream: stub
    rewrite: ""
    auth: user
    body_limit: 1mb
`;
}

/** First line of the error plus the last lines of the process output, kept short for the table notes. */
function summariseFailure(error: unknown): string {
  const lines = (error instanceof Error ? error.message : String(error)).split('\n').filter((line) => line.trim() !== '');
  const head = lines[0] ?? 'failed';
  const tail = lines.slice(1).slice(-3).join(' | ');
  return (tail ? `${head} ${tail}` : head).slice(0, 600);
}
