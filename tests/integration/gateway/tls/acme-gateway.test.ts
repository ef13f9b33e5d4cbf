// The wiring in a real gateway process (`npm start` with WORKERS=1): ACME_DOMAINS
// pointed at Pebble makes the primary order a certificate through its own
// plain-HTTP port and write it under DATA_DIR/acme; the same port redirects
// browsers to HTTPS; and the settings that cannot work stop the start with one
// line. Pebble's HTTP-01 port must be fixed before the gateway picks its port
// (HTTP_REDIRECT_PORT=0), so a small TCP relay the test owns sits between them
// and holds the CA's connections until the gateway's port is known.
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect as tlsConnect } from 'node:tls';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pebbleInstalled, startPebble, type TestPebble } from '../../../helpers/pebble.ts';
import { startProcess, type StartedProcess } from '../../../helpers/processes.ts';
import { startStubUpstream, type StubUpstream } from '../proxy/harness.ts';

const DOMAIN = 'gateway.fullon.test';

/** A TCP relay on a port of its own; connections wait until `target` is set. */
async function startRelay(): Promise<{ port: number; setTarget(port: number): void; close(): Promise<void> }> {
  let target: number | null = null;
  const waiting: Socket[] = [];
  const sockets = new Set<Socket>();
  const pipe = (client: Socket) => {
    const upstream = connect(target!, '127.0.0.1');
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  };
  const server: Server = createServer((client) => {
    sockets.add(client);
    if (target === null) waiting.push(client);
    else pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    setTarget(port) {
      target = port;
      for (const client of waiting.splice(0)) pipe(client);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** TLS to the gateway's port as a browser for DOMAIN would connect (SNI, ALPN h2), trusting only `root`. */
function handshake(port: number, root: string): Promise<{ authorized: boolean; serial: string; alpn: string | false | null }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ port, host: '127.0.0.1', servername: DOMAIN, ca: root, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
      resolve({ authorized: socket.authorized, serial: socket.getPeerCertificate().serialNumber, alpn: socket.alpnProtocol });
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

/** Resolves with the first JSON log line whose msg matches, already written or still to come. */
function logLine(gateway: StartedProcess, pattern: RegExp): Promise<Record<string, unknown>> {
  const parse = (line: string) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      return typeof entry.msg === 'string' && pattern.test(entry.msg) ? entry : null;
    } catch {
      return null;
    }
  };
  for (const line of gateway.output) {
    const entry = parse(line);
    if (entry) return Promise.resolve(entry);
  }
  return new Promise((resolve) => {
    const lines = createInterface({ input: gateway.child.stdout! });
    lines.on('line', (line) => {
      const entry = parse(line);
      if (entry) {
        lines.close();
        resolve(entry);
      }
    });
  });
}

describe.skipIf(!pebbleInstalled())('a gateway with ACME_DOMAINS', () => {
  let dir: string;
  let stub: StubUpstream;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let pebble: TestPebble;
  let gateway: StartedProcess | null = null;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'acme-gateway-'));
    stub = await startStubUpstream();
    await writeFile(join(dir, 'routes.yaml'), `upstreams:\n  stub: { url: ${stub.url} }\nroutes:\n  - { prefix: /api/v1/stub, upstream: stub, rewrite: "", auth: public }\n`);
    relay = await startRelay();
    pebble = await startPebble({ dir, httpPort: relay.port });
  });
  afterEach(async () => {
    await gateway?.stop('SIGTERM');
    gateway = null;
  });
  afterAll(async () => {
    await pebble?.stop();
    await relay?.close();
    await stub?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const env = (dataDir: string, extra: Record<string, string> = {}) => ({
    ROUTES_FILE: join(dir, 'routes.yaml'),
    DATA_DIR: dataDir,
    WORKERS: '1',
    SERVICE_AUTO_START_ENABLED: 'false',
    ACME_DOMAINS: DOMAIN,
    ACME_EMAIL: 'ops@fullon.test',
    ACME_DIRECTORY_URL: pebble.directoryUrl,
    ACME_CA_FILE: pebble.caFile,
    HTTP_REDIRECT_PORT: '0',
    ...extra,
  });

  it('orders its certificate at start through its own challenge port, and redirects plain HTTP to HTTPS', async () => {
    const dataDir = join(dir, 'data');
    // An answer left behind by an order a crash interrupted: cleared at start.
    const stale = join(dataDir, 'acme', 'challenges', 'stale-token-from-a-crashed-order');
    await mkdir(join(dataDir, 'acme', 'challenges'), { recursive: true });
    await writeFile(stale, 'stale');
    gateway = await startProcess('gateway/main.ts', env(dataDir));
    const opened = await logLine(gateway, /^plain HTTP on port \d+/);
    const redirectPort = opened.port as number;
    relay.setTarget(redirectPort);

    const issued = await logLine(gateway, new RegExp(`^certificate for ${DOMAIN.replaceAll('.', '\\.')} issued`));
    const certPem = await readFile(join(dataDir, 'acme', 'certs', DOMAIN, 'cert.pem'), 'utf8');
    const cert = new X509Certificate(certPem);
    expect(cert.subjectAltName).toBe(`DNS:${DOMAIN}`);
    expect(issued.serial).toBe(cert.serialNumber);
    expect(cert.issuer).toMatch(/Pebble/);
    expect((await stat(join(dataDir, 'acme', 'account-key.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, 'acme', 'certs', DOMAIN, 'key.pem'))).mode & 0o777).toBe(0o600);
    // Nothing of the account key or the certificate key reaches the log.
    expect(gateway.output.join('\n')).not.toMatch(/PRIVATE KEY/);

    await expect(stat(stale)).rejects.toThrow(/ENOENT/);

    // The worker's certificate store picks the new pair up from the file (no
    // restart), and the gateway's HTTPS port serves it: a client that trusts
    // only Pebble's root and asks for the name by SNI accepts it.
    await logLine(gateway, /^certificate (added|reloaded)$/);
    const served = await handshake(gateway.port, await pebble.issuingRoot());
    expect(served).toEqual({ authorized: true, serial: cert.serialNumber, alpn: 'h2' });

    const redirect = await request(`http://127.0.0.1:${redirectPort}/api/v1/stub/x?y=1`, { headers: { host: DOMAIN } });
    await redirect.body.dump();
    expect(redirect.statusCode).toBe(308);
    expect(redirect.headers.location).toBe(`https://${DOMAIN}:${gateway.port}/api/v1/stub/x?y=1`);
    const forged = await request(`http://127.0.0.1:${redirectPort}/`, { headers: { host: 'evil.example' } });
    expect(forged.statusCode).toBe(400);
    expect(await forged.body.json()).toEqual({ detail: 'Unknown host: this port redirects only the configured host names to HTTPS' });
  });

  it.each([
    ['a wildcard in ACME_DOMAINS', { ACME_DOMAINS: '*.fullon.test' }, /ACME_DOMAINS: \\?"\*\.fullon\.test\\?" is not a host name \(wildcards need DNS-01/],
    ['an unreadable ACME_CA_FILE', { ACME_CA_FILE: '/nonexistent/ca.pem' }, /ACME_CA_FILE: cannot read \/nonexistent\/ca\.pem/],
    ['an ACME_CA_FILE that is no certificate (the routes file)', { ACME_CA_FILE: 'routes.yaml' }, /ACME_CA_FILE: .*routes\.yaml is not a PEM certificate/],
    ['a plain-HTTP port with nothing to redirect to', { ACME_DOMAINS: '', HTTP_REDIRECT_PORT: '0' }, /HTTP_REDIRECT_PORT needs ACME_DOMAINS or HTTP_REDIRECT_HOSTS/],
  ])('refuses to start with %s, in one line', async (_name, extra, message) => {
    const paths = Object.fromEntries(Object.entries(extra).map(([name, value]) => [name, value === 'routes.yaml' ? join(dir, value) : value]));
    const start = startProcess('gateway/main.ts', env(join(dir, 'refused'), paths));
    await expect(start).rejects.toThrow(message);
  });
});
