// Starts a throwaway stack for the examples: a stub upstream, a fake exchange
// (kraken look-alike the collectors are pointed at) and the gateway (with its
// supervised upstreams) on free ports, a temporary DATA_DIR, a temp
// copy of routes.yaml, generated secrets and admin credentials. Used by
// examples/run-all.ts and tests/e2e/examples.test.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Agent, fetch as undiciFetch } from 'undici';
import { startFakeExchange } from '../../upstreams/collectors/fake-exchange/server.ts';
import { startStubUpstream } from './stub-upstream.ts';

export interface StackOptions {
  /** Repository root (the gateway's working directory). */
  root?: string;
  /** Extra environment for the gateway (e.g. DATABASE_URL, REDIS_URL for real stores). */
  env?: Record<string, string | undefined>;
  /** How long to wait for /health/check to turn 200 (the upstreams to come up). */
  readyTimeoutMs?: number;
  /** Pairs the fake exchange lists (default 20). */
  fakeExchangePairs?: number;
  /** Forward the gateway's log lines (default: keep them for the failure report only). */
  onLog?: (line: string) => void;
  /**
   * Serve HTTPS with this pair (TLS_CERT_FILE/TLS_KEY_FILE): the URL becomes
   * https://localhost:<port>, and the examples trust the certificate through
   * NODE_EXTRA_CA_CERTS (verification stays on).
   */
  tls?: { certFile: string; keyFile: string };
}

export interface Stack {
  url: string;
  dataDir: string;
  routesFile: string;
  stubUrl: string;
  fakeExchangeUrl: string;
  adminMail: string;
  adminPassword: string;
  /** The environment every example runs with. */
  exampleEnv: Record<string, string>;
  /** The gateway's recent output, for failure reports. */
  output: string[];
  stop(): Promise<void>;
}

const PASSTHROUGH = ['DATABASE_URL', 'OHLCV_DATABASE_URL', 'REDIS_URL', 'CACHE_KEY_PREFIX', 'LOG_LEVEL'];

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const root = resolve(options.root ?? process.cwd());
  const dir = await mkdtemp(join(tmpdir(), 'fullon-stack-'));
  const dataDir = join(dir, 'data');
  const routesFile = join(dir, 'routes.yaml');
  await copyFile(join(root, 'routes.yaml'), routesFile);
  const stub = await startStubUpstream();
  const fake = await startFakeExchange({ pairs: options.fakeExchangePairs ?? 20 });
  const adminMail = `admin_${randomBytes(3).toString('hex')}@example.com`;
  const adminPassword = `pw-${randomBytes(12).toString('base64url')}`;
  const env: Record<string, string> = {};
  for (const key of PASSTHROUGH) if (process.env[key]) env[key] = process.env[key]!;
  Object.assign(env, {
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    ROUTES_FILE: routesFile,
    JWT_SECRET_KEY: randomBytes(32).toString('hex'),
    ADMIN_MAIL: adminMail,
    ADMIN_PASSWORD: adminPassword,
    SHUTDOWN_GRACE_MS: '3000',
    RELOAD_DEBOUNCE_MS: '50',
    // The collectors talk to the fake exchange (kraken) and to nothing outside;
    // like the original's examples, they start only when asked to.
    SERVICE_AUTO_START_ENABLED: 'false',
    EXCHANGE_URLS: JSON.stringify({ kraken: fake.url, hyperliquid: 'http://127.0.0.1:9' }),
    EXCHANGE_RATE_LIMIT_MS: '20',
    TICKER_POLL_INTERVAL_MS: '250',
    OHLCV_POLL_INTERVAL_MS: '1000',
    OHLCV_COLLECT_START: new Date(Date.now() - 3 * 3_600_000).toISOString(),
    COLLECTOR_REFRESH_MS: '2000',
  });
  if (options.tls) Object.assign(env, { TLS_CERT_FILE: options.tls.certFile, TLS_KEY_FILE: options.tls.keyFile });
  for (const [key, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[key] = value;
  const output: string[] = [];
  const child = spawn(process.execPath, [join(root, 'gateway/main.ts')], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const cleanup = async () => {
    await stopChild(child);
    await stub.close();
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const port = await waitForListening(child, output, options.onLog);
    // The example certificate is for localhost (and 127.0.0.1).
    const url = options.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`;
    await waitForReady(url, options.readyTimeoutMs ?? 90_000, output, options.tls ? readFileSync(options.tls.certFile, 'utf8') : null);
    return {
      url,
      dataDir,
      routesFile,
      stubUrl: stub.url,
      fakeExchangeUrl: fake.url,
      adminMail,
      adminPassword,
      // JWT_SECRET_KEY: the shared secret a fullon service mints its own tokens with (examples/fullon_tokens.ts).
      exampleEnv: {
        GATEWAY_URL: url,
        ADMIN_MAIL: adminMail,
        ADMIN_PASSWORD: adminPassword,
        ROUTES_FILE: routesFile,
        STUB_UPSTREAM_URL: stub.url,
        FAKE_EXCHANGE_URL: fake.url,
        JWT_SECRET_KEY: env.JWT_SECRET_KEY!,
        DATA_DIR: dataDir,
        ...(options.tls ? { NODE_EXTRA_CA_CERTS: options.tls.certFile, TLS_CERT_FILE: options.tls.certFile, TLS_KEY_FILE: options.tls.keyFile } : {}),
      },
      output,
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

function waitForListening(child: ChildProcess, output: string[], onLog?: (line: string) => void): Promise<number> {
  return new Promise((resolvePort, reject) => {
    let port: number | null = null;
    const keep = (line: string) => {
      output.push(line);
      if (output.length > 500) output.shift();
      onLog?.(line);
    };
    createInterface({ input: child.stderr! }).on('line', keep);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      keep(line);
      if (port !== null) return;
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number; name?: string; pid?: number };
        if (entry.msg === 'listening' && typeof entry.port === 'number' && (entry.name === 'gateway' || entry.name === undefined) && (entry.pid === undefined || entry.pid === child.pid)) {
          port = entry.port;
          resolvePort(port);
        }
      } catch {
        /* not JSON */
      }
    });
    child.once('exit', (code) => {
      if (port === null) reject(new Error(`gateway exited with ${code} before listening:\n${output.slice(-30).join('\n')}`));
    });
  });
}

/** /health/live answers once the gateway serves; /health/check once critical upstreams are up (404 = endpoint not there: skip). */
async function waitForReady(url: string, timeoutMs: number, output: string[], ca: string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Over HTTPS, trust the stack's own certificate (and nothing else changes).
  const dispatcher = ca === null ? null : new Agent({ connect: { ca } });
  const get = dispatcher === null
    ? (target: string) => fetch(target)
    : async (target: string) => {
        const response = await undiciFetch(target, { dispatcher });
        await response.body?.cancel();
        return response;
      };
  try {
    await pollReady(url, deadline, timeoutMs, output, get);
  } finally {
    await dispatcher?.close();
  }
}

async function pollReady(url: string, deadline: number, timeoutMs: number, output: string[], get: (target: string) => Promise<{ status: number }>): Promise<void> {
  for (const path of ['/health/live', '/health/check']) {
    for (;;) {
      const status = await get(`${url}${path}`).then((r) => r.status, () => 0);
      if (status === 200 || status === 404) break;
      if (Date.now() > deadline) {
        output.push(`[stack] ${path} still ${status} after ${timeoutMs} ms; running the examples anyway`);
        return;
      }
      await new Promise((resolveWait) => setTimeout(resolveWait, 200));
    }
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
