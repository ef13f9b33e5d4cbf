// Pebble (Let's Encrypt's test ACME server, Debian package `pebble`) for a test:
// its own TLS pair for the ACME endpoint (made with openssl, trusted by the gateway
// through ACME_CA_FILE), pebble-challtestsrv as its DNS so any test name resolves
// to 127.0.0.1, and the HTTP-01 port pointed at the gateway's challenge listener.
// Both programs die with the test run (pdeathsig), and each gets fresh ports
// (retried when a probed port is taken before the program binds it).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { freeLoopbackPort } from './test-redis.ts';

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));
export const PEBBLE = process.env.TEST_PEBBLE ?? '/usr/bin/pebble';
const CHALLTESTSRV = join(PEBBLE, '..', 'pebble-challtestsrv');

export function pebbleInstalled(): boolean {
  return existsSync(PEBBLE) && existsSync(CHALLTESTSRV);
}

export interface TestPebble {
  directoryUrl: string;
  /** The self-signed certificate of Pebble's own HTTPS endpoints (ACME_CA_FILE). */
  caFile: string;
  /** Pebble's issuing root of this run (to verify what it issued). */
  issuingRoot(): Promise<string>;
  /** Makes `host` resolve to `ip` for Pebble's validation (a name that no longer points at us); null: 127.0.0.1 again. */
  resolve(host: string, ip: string | null): Promise<void>;
  output: string[];
  stop(): Promise<void>;
}

export async function startPebble(options: { dir: string; httpPort: number }): Promise<TestPebble> {
  const caFile = join(options.dir, 'pebble-endpoint.pem');
  const keyFile = join(options.dir, 'pebble-endpoint.key');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-keyout', keyFile, '-out', caFile, '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { stdio: 'ignore' });
  const output: string[] = [];
  const dns = await retryOnTakenPort(async () => {
    const [dnsPort, managementPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
    const child = await spawnUntil(CHALLTESTSRV, [
      '-dns01', `127.0.0.1:${dnsPort}`, '-management', `127.0.0.1:${managementPort}`,
      '-http01', '', '-https01', '', '-tlsalpn01', '', '-defaultIPv4', '127.0.0.1', '-defaultIPv6', '',
    ], {}, /Starting challenge servers/, output);
    return { child, dnsPort, managementUrl: `http://127.0.0.1:${managementPort}` };
  });
  const pebble = await retryOnTakenPort(async () => {
    const [acmePort, managementPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
    const config = join(options.dir, 'pebble-config.json');
    writeFileSync(config, JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`, managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: caFile, privateKey: keyFile, httpPort: options.httpPort, tlsPort: options.httpPort,
        ocspResponderURL: '', externalAccountBindingRequired: false,
      },
    }));
    const env = { PEBBLE_VA_NOSLEEP: '1', PEBBLE_VA_ALWAYS_VALID: '0', PEBBLE_AUTHZREUSE: '0', PEBBLE_WFE_NONCEREJECT: '0' };
    const child = await spawnUntil(PEBBLE, ['-config', config, '-dnsserver', `127.0.0.1:${dns.dnsPort}`], env, /ACME directory available/, output);
    return { child, acmePort, managementPort };
  }).catch(async (error: unknown) => {
    await stopChild(dns.child);
    throw error;
  });
  const dispatcher = new Agent({ connect: { ca: [readFileSync(caFile, 'utf8')] } });
  return {
    directoryUrl: `https://127.0.0.1:${pebble.acmePort}/dir`,
    caFile,
    output,
    async issuingRoot() {
      const response = await request(`https://127.0.0.1:${pebble.managementPort}/roots/0`, { dispatcher });
      return response.body.text();
    },
    async resolve(host, ip) {
      // add-a appends to the name's addresses: clear first, then the one address (none: back to 127.0.0.1).
      for (const [path, body] of [['clear-a', { host: `${host}.` }], ...(ip === null ? [] : [['add-a', { host: `${host}.`, addresses: [ip] }]])] as const) {
        const response = await request(`${dns.managementUrl}/${path}`, { method: 'POST', body: JSON.stringify(body) });
        await response.body.dump();
        if (response.statusCode !== 200) throw new Error(`pebble-challtestsrv ${path} answered ${response.statusCode}`);
      }
    },
    async stop() {
      await dispatcher.close();
      await Promise.all([stopChild(pebble.child), stopChild(dns.child)]);
    },
  };
}

async function retryOnTakenPort<T>(start: () => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await start();
    } catch (error) {
      lastError = error;
      if (!/address already in use/i.test(String(error))) break;
    }
  }
  throw lastError;
}

function spawnUntil(binary: string, args: string[], env: Record<string, string>, ready: RegExp, output: string[]): Promise<ChildProcess> {
  const [command, argv] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', binary, ...args]] : [binary, args];
  const child = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output.push(...text.split('\n').filter(Boolean));
      seen += text;
      if (ready.test(seen)) {
        child.off('exit', onExit);
        resolve(child);
      }
    };
    const onExit = (code: number | null) => reject(new Error(`${binary} exited with ${code}: ${seen.trim().slice(-800)}`));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
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
