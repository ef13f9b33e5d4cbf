// The Redis a test run uses: a private, throwaway redis-server that the run starts
// on a free loopback port (no persistence, gone when the run ends), unless
// TEST_REDIS_URL names one explicitly. The machine's own Redis (127.0.0.1:6379 and
// whatever real data it holds) is never touched, and two runs at once each get
// their own server.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));
const REDIS_SERVER_CANDIDATES = [process.env.TEST_REDIS_SERVER, '/usr/bin/redis-server', '/usr/local/bin/redis-server', '/usr/sbin/redis-server'];

export interface TestRedis {
  url: string;
  /** True when this run started the server (and so may do anything with it). */
  owned: boolean;
  stop(): Promise<void>;
}

export async function startTestRedis(): Promise<TestRedis> {
  const explicit = process.env.TEST_REDIS_URL;
  if (explicit) return { url: explicit.replace(/\/\d*$/, ''), owned: false, stop: async () => {} };
  const binary = redisServerBinary();
  let lastError: unknown;
  // A free port can be taken between the probe and redis-server's bind: try again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freeLoopbackPort();
    try {
      const child = await spawnRedis(binary, port);
      return { url: `redis://127.0.0.1:${port}`, owned: true, stop: () => stopChild(child) };
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`could not start a test redis-server: ${String(lastError)}`);
}

function redisServerBinary(): string {
  const binary = REDIS_SERVER_CANDIDATES.find((path) => path && existsSync(path));
  if (!binary) {
    throw new Error(
      'the tests need a Redis of their own: install redis-server (apt-get install redis-server), ' +
        'set TEST_REDIS_SERVER to its path, or set TEST_REDIS_URL to a Redis that tests may use and flush',
    );
  }
  return binary;
}

/** A redis-server on this port (a test that kills Redis and starts it again on the same port). */
export function startRedisServerOn(port: number): Promise<ChildProcess> {
  return spawnRedis(redisServerBinary(), port);
}

export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function spawnRedis(binary: string, port: number): Promise<ChildProcess> {
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--databases', '16', '--dir', '/tmp', '--dbfilename', `fullon-test-${port}.rdb`, '--protected-mode', 'yes',
    '--loglevel', 'notice', '--logfile', '',
  ];
  // pdeathsig: the server dies with the test run even when the run is killed.
  const [command, argv] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', binary, ...args]] : [binary, args];
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ready to accept connections/i.test(output)) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        child.stderr!.resume();
        child.off('exit', onExit);
        resolve(child);
      }
    };
    const onExit = (code: number | null) => reject(new Error(`redis-server exited with ${code}: ${output.trim().slice(-500)}`));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', onExit);
    child.once('error', reject);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
