// The certificate store behind a real TLS server (tls.createServer with the
// store's serverOptions(), as the gateway's HTTPS listener uses it): SNI picks
// the pair by the certificate's names, files replaced on disk are served to new
// connections while open ones keep theirs, and a broken replacement is refused
// with one log line while the old certificate stays. Every wait is on an event
// of the store or a socket: no sleeps.
import { once } from 'node:events';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, createServer, type ConnectionOptions, type PeerCertificate, type Server, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createCertificateStore, CertificateStoreError, type CertificateStore } from '../../../../gateway/tls/certificate-store.ts';
import { readTlsSettings, type TlsSettings } from '../../../../gateway/tls/settings.ts';
import { TICKET_KEY_MAX_AGE_MS } from '../../../../gateway/tls/ticket-keys.ts';
import { expiredPair, futurePair, makeTempDir, makeTestPair, writeTestPair, type TestPair } from '../../../helpers/test-certificates.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

type LogEntry = Record<string, unknown> & { level: number; msg: string };

function tempDir(): string {
  const { dir, cleanup } = makeTempDir();
  cleanups.push(cleanup);
  return dir;
}

function settingsFor(env: NodeJS.ProcessEnv, dataDir = tempDir()): TlsSettings {
  return readTlsSettings(env, { dataDir, reloadDebounceMs: 20 });
}

async function startStore(settings: TlsSettings): Promise<{ store: CertificateStore; logs: LogEntry[] }> {
  const logs: LogEntry[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogEntry) });
  const store = await createCertificateStore({ settings, logger });
  cleanups.push(() => store.close());
  return { store, logs };
}

/** An echo server on the store, as the HTTPS listener will run it. */
async function startServer(store: CertificateStore): Promise<{ server: Server; port: number }> {
  const sockets = new Set<TLSSocket>();
  const server = createServer(store.serverOptions(), (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.pipe(socket);
  });
  server.on('tlsClientError', () => {});
  const detach = store.attach(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    detach();
    for (const socket of sockets) socket.destroy();
    server.close();
    await once(server, 'close');
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/** Opens a TLS connection (certificates are self-signed: not verified here, compared instead). */
async function open(port: number, options: ConnectionOptions = {}): Promise<TLSSocket> {
  const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options });
  cleanups.push(() => socket.destroy());
  await Promise.race([
    once(socket, 'secureConnect'),
    once(socket, 'error').then(([error]) => Promise.reject(error)),
    once(socket, 'close').then(() => Promise.reject(new Error('closed before the handshake finished'))),
  ]);
  return socket;
}

async function peerOf(port: number, servername?: string): Promise<PeerCertificate> {
  const socket = await open(port, servername ? { servername } : {});
  const peer = socket.getPeerCertificate();
  socket.destroy();
  return peer;
}

/** The SHA-256 fingerprint of a PEM certificate as getPeerCertificate() spells it. */
const fingerprintOf = async (pair: TestPair) => new (await import('node:crypto')).X509Certificate(pair.cert).fingerprint256;

async function echo(socket: TLSSocket, text: string): Promise<string> {
  socket.write(text);
  const [data] = await once(socket, 'data');
  return String(data);
}

/** Replaces both files the safe way (new file beside, then rename over), in one synchronous step. */
function replacePair(certFile: string, keyFile: string, pair: TestPair): void {
  writeFileSync(`${certFile}.new`, pair.cert);
  writeFileSync(`${keyFile}.new`, pair.key);
  renameSync(`${keyFile}.new`, keyFile);
  renameSync(`${certFile}.new`, certFile);
}

async function defaultPairSetup() {
  const dir = tempDir();
  const certFile = join(dir, 'site.crt');
  const keyFile = join(dir, 'site.key');
  const first = await makeTestPair({ names: ['site.example.com'] });
  writeTestPair(certFile, keyFile, first);
  const { store, logs } = await startStore(settingsFor({ TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile }));
  const { port } = await startServer(store);
  return { dir, certFile, keyFile, first, store, logs, port };
}

describe('certificate store: choosing by SNI', () => {
  it('serves the pair whose SAN matches the server name (exact, then wildcard), the default pair otherwise and without SNI', async () => {
    const dir = tempDir();
    const certDir = join(dir, 'certs');
    mkdirSync(join(certDir, 'wild'), { recursive: true });
    const defaultPair = await makeTestPair({ names: ['default.example.com'] });
    const api = await makeTestPair({ names: ['api.example.com', 'api.example.org'] });
    const wild = await makeTestPair({ names: ['*.wild.example.com'] });
    const exactUnderWildcard = await makeTestPair({ names: ['exact.wild.example.com'] });
    writeTestPair(join(dir, 'default.crt'), join(dir, 'default.key'), defaultPair);
    writeTestPair(join(certDir, 'api.crt'), join(certDir, 'api.key'), api);
    writeTestPair(join(certDir, 'wild', 'cert.pem'), join(certDir, 'wild', 'key.pem'), wild);
    writeTestPair(join(certDir, 'exact.crt'), join(certDir, 'exact.key'), exactUnderWildcard);
    const { store } = await startStore(settingsFor({ TLS_CERT_FILE: join(dir, 'default.crt'), TLS_KEY_FILE: join(dir, 'default.key'), TLS_CERT_DIR: certDir }));
    const { port } = await startServer(store);

    const cases: Array<[string | undefined, TestPair]> = [
      ['api.example.com', api],
      ['API.Example.ORG', api],
      ['x.wild.example.com', wild],
      ['exact.wild.example.com', exactUnderWildcard],
      ['a.b.wild.example.com', defaultPair],
      ['wild.example.com', defaultPair],
      ['unknown.example.net', defaultPair],
      [undefined, defaultPair],
    ];
    for (const [servername, expected] of cases) {
      const peer = await peerOf(port, servername);
      expect({ servername, fingerprint: peer.fingerprint256 }).toEqual({ servername, fingerprint: await fingerprintOf(expected) });
    }
    expect((await peerOf(port, 'api.example.com')).subjectaltname).toBe('DNS:api.example.com, DNS:api.example.org');
    expect(store.certificates().find((entry) => entry.isDefault)?.names).toEqual(['default.example.com']);
  });

  it('uses the first pair of TLS_CERT_DIR by file name as the default when there is no TLS_CERT_FILE', async () => {
    const certDir = tempDir();
    const a = await makeTestPair({ names: ['a.example.com'] });
    const b = await makeTestPair({ names: ['b.example.com'] });
    writeTestPair(join(certDir, 'b.crt'), join(certDir, 'b.key'), b);
    writeTestPair(join(certDir, 'a.crt'), join(certDir, 'a.key'), a);
    const { store } = await startStore(settingsFor({ TLS_CERT_DIR: certDir }));
    const { port } = await startServer(store);
    expect((await peerOf(port)).fingerprint256).toBe(await fingerprintOf(a));
    expect((await peerOf(port, 'b.example.com')).fingerprint256).toBe(await fingerprintOf(b));
  });
});

describe('certificate store: hot reload', () => {
  it('serves a replaced pair to new connections (with and without SNI) while an open connection keeps its certificate', async () => {
    const { certFile, keyFile, first, store, logs, port } = await defaultPairSetup();
    const before = await open(port, { servername: 'site.example.com' });
    expect(before.getPeerCertificate().fingerprint256).toBe(await fingerprintOf(first));

    const second = await makeTestPair({ names: ['site.example.com'] });
    const changed = once(store, 'change');
    replacePair(certFile, keyFile, second);
    expect((await changed)[0]).toEqual({ added: [], updated: [certFile], removed: [] });

    expect((await peerOf(port, 'site.example.com')).fingerprint256).toBe(await fingerprintOf(second));
    expect((await peerOf(port)).fingerprint256).toBe(await fingerprintOf(second));
    // The connection opened before the reload is still up, on its old certificate.
    expect(await echo(before, 'still here')).toBe('still here');
    expect(before.getPeerCertificate().fingerprint256).toBe(await fingerprintOf(first));
    expect(logs.find((entry) => entry.msg === 'certificate reloaded')).toMatchObject({ level: 30, file: certFile, names: ['site.example.com'] });
  });

  it('notices a pair written in place (no rename), and a pair added to and removed from TLS_CERT_DIR', async () => {
    const certDir = tempDir();
    const a = await makeTestPair({ names: ['a.example.com'] });
    writeTestPair(join(certDir, 'a.crt'), join(certDir, 'a.key'), a);
    const { store } = await startStore(settingsFor({ TLS_CERT_DIR: certDir }));
    const { port } = await startServer(store);

    const b = await makeTestPair({ names: ['b.example.com'] });
    let changed = once(store, 'change');
    mkdirSync(join(certDir, 'b'));
    writeTestPair(join(certDir, 'b', 'cert.pem'), join(certDir, 'b', 'key.pem'), b);
    expect((await changed)[0]).toEqual({ added: [join(certDir, 'b', 'cert.pem')], updated: [], removed: [] });
    expect((await peerOf(port, 'b.example.com')).fingerprint256).toBe(await fingerprintOf(b));

    // The new directory is watched too: a pair replaced inside it is seen.
    const b2 = await makeTestPair({ names: ['b.example.com'] });
    changed = once(store, 'change');
    replacePair(join(certDir, 'b', 'cert.pem'), join(certDir, 'b', 'key.pem'), b2);
    expect((await changed)[0]).toMatchObject({ updated: [join(certDir, 'b', 'cert.pem')] });
    expect((await peerOf(port, 'b.example.com')).fingerprint256).toBe(await fingerprintOf(b2));

    const a2 = await makeTestPair({ names: ['a.example.com'] });
    changed = once(store, 'change');
    writeTestPair(join(certDir, 'a.crt'), join(certDir, 'a.key'), a2);
    expect((await changed)[0]).toMatchObject({ updated: [join(certDir, 'a.crt')] });
    expect((await peerOf(port, 'a.example.com')).fingerprint256).toBe(await fingerprintOf(a2));

    changed = once(store, 'change');
    rmSync(join(certDir, 'b'), { recursive: true });
    expect((await changed)[0]).toEqual({ added: [], updated: [], removed: [join(certDir, 'b', 'cert.pem')] });
    // b.example.com now gets the default (a).
    expect((await peerOf(port, 'b.example.com')).fingerprint256).toBe(await fingerprintOf(a2));
  });

  it('follows a Kubernetes secret update (the files are symlinks through ..data, which is swapped)', async () => {
    const dir = tempDir();
    const version = (name: string, pair: TestPair) => {
      mkdirSync(join(dir, name));
      writeTestPair(join(dir, name, 'tls.crt'), join(dir, name, 'tls.key'), pair);
    };
    const first = await makeTestPair({ names: ['k8s.example.com'] });
    version('..v1', first);
    symlinkSync('..v1', join(dir, '..data'));
    symlinkSync('..data/tls.crt', join(dir, 'tls.crt'));
    symlinkSync('..data/tls.key', join(dir, 'tls.key'));
    const { store } = await startStore(settingsFor({ TLS_CERT_FILE: join(dir, 'tls.crt'), TLS_KEY_FILE: join(dir, 'tls.key') }));
    const { port } = await startServer(store);
    expect((await peerOf(port)).fingerprint256).toBe(await fingerprintOf(first));

    const second = await makeTestPair({ names: ['k8s.example.com'] });
    version('..v2', second);
    const changed = once(store, 'change');
    // What the kubelet does: a new symlink renamed over ..data (atomic).
    symlinkSync('..v2', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    await changed;
    expect((await peerOf(port)).fingerprint256).toBe(await fingerprintOf(second));
  });

  it.each([
    ['a half-written certificate', async (pair: TestPair) => ({ cert: pair.cert.slice(0, Math.floor(pair.cert.length / 2)), key: pair.key }), 'cert', /is incomplete \(a PEM block has no END line: half-written\?\)|is not a valid PEM certificate/],
    ['a key that does not match the certificate', async (pair: TestPair) => ({ cert: pair.cert, key: (await makeTestPair({ names: ['other.example.com'] })).key }), 'key', /is not the private key of .*site\.crt \(key and certificate do not match\)/],
    ['an expired certificate', async () => expiredPair(['site.example.com']), 'cert', /expired on \d{4}-\d\d-\d\dT/],
    ['a certificate not valid yet', async () => futurePair(['site.example.com']), 'cert', /is not valid yet \(valid from \d{4}-/],
    ['a key file that is not PEM', async (pair: TestPair) => ({ cert: pair.cert, key: 'not a key\n' }), 'key', /is not a PEM private key/],
  ])('refuses %s with one log line naming the file, and keeps serving the old certificate', async (_name, broken, faulty, reason) => {
    const { certFile, keyFile, first, store, logs, port } = await defaultPairSetup();
    const replacement = await broken(await makeTestPair({ names: ['site.example.com'] }));
    const rejected = once(store, 'rejected');
    writeFileSync(certFile, replacement.cert);
    writeFileSync(keyFile, replacement.key);
    const [event] = await rejected;
    const file = faulty === 'cert' ? certFile : keyFile;
    expect(event).toMatchObject({ file, keptPrevious: true });
    expect(event.reason).toMatch(reason);

    const lines = logs.filter((entry) => entry.msg.startsWith('certificate refused'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, file });
    expect(lines[0]!.msg).toContain(file);
    expect(lines[0]!.msg).toMatch(/; keeping the previous certificate$/);
    // No key material in the logs, ever.
    expect(JSON.stringify(logs)).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);

    expect((await peerOf(port, 'site.example.com')).fingerprint256).toBe(await fingerprintOf(first));
    expect((await peerOf(port)).fingerprint256).toBe(await fingerprintOf(first));
  });

  it('takes a half-written certificate once its writer finishes it', async () => {
    const { certFile, keyFile, store, port } = await defaultPairSetup();
    const next = await makeTestPair({ names: ['site.example.com'] });
    writeFileSync(keyFile, next.key);
    const rejected = once(store, 'rejected');
    writeFileSync(certFile, next.cert.slice(0, 200));
    await rejected;
    const changed = once(store, 'change');
    writeFileSync(certFile, next.cert);
    await changed;
    expect((await peerOf(port, 'site.example.com')).fingerprint256).toBe(await fingerprintOf(next));
  });
});

describe('certificate store: protocol policy', () => {
  it('refuses a TLS 1.1 client (the server answers with a protocol_version alert) and serves TLS 1.2 and 1.3', async () => {
    const { port } = await defaultPairSetup();
    // SECLEVEL=0 lets this client offer TLS 1.1 at all, so the refusal is the server's.
    const old = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    cleanups.push(() => old.destroy());
    const [error] = (await once(old, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
    expect((await open(port, { maxVersion: 'TLSv1.2' })).getProtocol()).toBe('TLSv1.2');
    expect((await open(port)).getProtocol()).toBe('TLSv1.3');
  });

  it('with TLS_MIN_VERSION=TLSv1.3 refuses a TLS 1.2 client', async () => {
    const dir = tempDir();
    writeTestPair(join(dir, 'c.crt'), join(dir, 'c.key'), await makeTestPair({ names: ['c.example.com'] }));
    const { store } = await startStore(settingsFor({ TLS_CERT_FILE: join(dir, 'c.crt'), TLS_KEY_FILE: join(dir, 'c.key'), TLS_MIN_VERSION: 'TLSv1.3' }));
    const { port } = await startServer(store);
    await expect(open(port, { maxVersion: 'TLSv1.2' })).rejects.toMatchObject({ code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });
    expect((await open(port)).getProtocol()).toBe('TLSv1.3');
  });

  it('offers TLS 1.2 clients ECDHE with AEAD only: a CBC-only client is refused', async () => {
    const { port } = await defaultPairSetup();
    await expect(open(port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA' })).rejects.toMatchObject({ code: expect.stringMatching(/ALERT_HANDSHAKE_FAILURE$/) });
    const socket = await open(port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA' });
    expect(socket.getCipher().name).toBe('ECDHE-ECDSA-AES128-GCM-SHA256');
  });

  it('resumes sessions, also after the certificate was reloaded', async () => {
    const { certFile, keyFile, store, port } = await defaultPairSetup();
    const ticket = async () => {
      const socket = connect({ host: '127.0.0.1', port, servername: 'site.example.com', rejectUnauthorized: false });
      cleanups.push(() => socket.destroy());
      const [session] = (await once(socket, 'session')) as [Buffer];
      socket.destroy();
      return session;
    };
    const session = await ticket();
    const resumed = await open(port, { servername: 'site.example.com', session });
    expect(resumed.isSessionReused()).toBe(true);

    const changed = once(store, 'change');
    replacePair(certFile, keyFile, await makeTestPair({ names: ['site.example.com'] }));
    await changed;
    expect((await open(port, { servername: 'site.example.com', session: await ticket() })).isSessionReused()).toBe(true);
  });
});

describe('certificate store: session resumption across workers', () => {
  /** Two stores on the same files and DATA_DIR, each behind its own server: two workers. */
  async function twoWorkers(shareDataDir: boolean) {
    const dir = tempDir();
    writeTestPair(join(dir, 'site.crt'), join(dir, 'site.key'), await makeTestPair({ names: ['site.example.com'] }));
    const env = { TLS_CERT_FILE: join(dir, 'site.crt'), TLS_KEY_FILE: join(dir, 'site.key') };
    const dataDir = tempDir();
    const one = await startStore(settingsFor(env, dataDir));
    const two = await startStore(settingsFor(env, shareDataDir ? dataDir : tempDir()));
    return {
      dataDir,
      stores: [one.store, two.store] as const,
      ports: [(await startServer(one.store)).port, (await startServer(two.store)).port] as const,
      logs: one.logs,
    };
  }

  async function sessionFrom(port: number, servername?: string): Promise<Buffer> {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...(servername ? { servername } : {}) });
    cleanups.push(() => socket.destroy());
    const [session] = (await once(socket, 'session')) as [Buffer];
    socket.destroy();
    return session;
  }

  const resumes = async (port: number, session: Buffer, servername?: string) => (await open(port, { session, ...(servername ? { servername } : {}) })).isSessionReused();

  it('resumes on one worker a session begun on another (shared ticket key file), with and without SNI', async () => {
    const { dataDir, ports, logs } = await twoWorkers(true);
    expect(await resumes(ports[1], await sessionFrom(ports[0], 'site.example.com'), 'site.example.com')).toBe(true);
    expect(await resumes(ports[0], await sessionFrom(ports[1]))).toBe(true);
    expect(statSync(join(dataDir, 'tls', 'session-ticket.keys')).mode & 0o777).toBe(0o600);
    expect(logs.find((entry) => entry.msg === 'session ticket keys created')).toMatchObject({ file: join(dataDir, 'tls', 'session-ticket.keys') });
  });

  it('does not resume across processes that do not share the file (the control)', async () => {
    const { ports } = await twoWorkers(false);
    expect(await resumes(ports[1], await sessionFrom(ports[0]))).toBe(false);
  });

  it('rotates the keys when they are due; the other worker follows the file, older tickets fall back to a full handshake', async () => {
    const { stores, ports, dataDir } = await twoWorkers(true);
    const before = await sessionFrom(ports[0]);
    // The file was written longer ago than the keys may live.
    const aged = new Date(Date.now() - TICKET_KEY_MAX_AGE_MS - 60_000);
    utimesSync(join(dataDir, 'tls', 'session-ticket.keys'), aged, aged);
    const followed = once(stores[1], 'ticketKeys');
    await stores[0].rescan('test: rotation due');
    await followed;
    expect(await resumes(ports[0], before)).toBe(false);
    expect(await resumes(ports[1], before)).toBe(false);
    expect(await resumes(ports[1], await sessionFrom(ports[0]))).toBe(true);
  });
});

describe('certificate store: start', () => {
  it('refuses to start with a key that does not match its certificate, naming both files', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 's.crt'), (await makeTestPair({ names: ['s.example.com'] })).cert);
    writeFileSync(join(dir, 's.key'), (await makeTestPair({ names: ['s.example.com'] })).key);
    const start = startStore(settingsFor({ TLS_CERT_FILE: join(dir, 's.crt'), TLS_KEY_FILE: join(dir, 's.key') }));
    await expect(start).rejects.toThrow(CertificateStoreError);
    await expect(start).rejects.toThrow(`certificate refused: ${join(dir, 's.key')}: is not the private key of ${join(dir, 's.crt')}`);
  });

  it.each([
    ['a missing certificate file', (dir: string) => ({ TLS_CERT_FILE: join(dir, 'none.crt'), TLS_KEY_FILE: join(dir, 'none.key') }), /none\.crt: file is missing/],
    ['a missing TLS_CERT_DIR', (dir: string) => ({ TLS_CERT_DIR: join(dir, 'nowhere') }), /nowhere: directory is missing/],
    ['an empty TLS_CERT_DIR', (dir: string) => ({ TLS_CERT_DIR: dir }), /TLS_CERT_DIR holds no certificate pair/],
  ])('refuses to start with %s', async (_name, env, message) => {
    await expect(startStore(settingsFor(env(tempDir())))).rejects.toThrow(message);
  });

  it('starts with an expired certificate, with a warning naming the file and the date', async () => {
    const dir = tempDir();
    const old = await expiredPair(['old.example.com']);
    writeTestPair(join(dir, 'old.crt'), join(dir, 'old.key'), old);
    const { store, logs } = await startStore(settingsFor({ TLS_CERT_FILE: join(dir, 'old.crt'), TLS_KEY_FILE: join(dir, 'old.key') }));
    const warning = logs.find((entry) => entry.level === 40 && entry.msg.includes('expired on'));
    expect(warning?.msg).toMatch(new RegExp(`certificate ${join(dir, 'old.crt')} expired on .*: serving it anyway until it is replaced`));
    const { port } = await startServer(store);
    expect((await peerOf(port)).fingerprint256).toBe(await fingerprintOf(old));
  });

  it('starts past a broken pair in the ACME directory (logged once, not served) and serves its repaired files', async () => {
    const dataDir = tempDir();
    const domainDir = join(dataDir, 'acme', 'certs', 'broken.example.com');
    mkdirSync(domainDir, { recursive: true });
    const good = await makeTestPair({ names: ['broken.example.com'] });
    writeTestPair(join(domainDir, 'cert.pem'), join(domainDir, 'key.pem'), { cert: good.cert, key: (await makeTestPair({ names: ['x.example.com'] })).key });
    const { store, logs } = await startStore(settingsFor({ ACME_DOMAINS: 'broken.example.com' }, dataDir));
    const refused = () => logs.filter((entry) => entry.msg.startsWith('certificate refused'));
    expect(refused()).toHaveLength(1);
    expect(refused()[0]!.msg).toMatch(/is not the private key of .*; not served until the ACME client replaces it$/);
    await store.rescan('test: nothing changed');
    expect(refused()).toHaveLength(1);
    const { port } = await startServer(store);
    const changed = once(store, 'change');
    replacePair(join(domainDir, 'cert.pem'), join(domainDir, 'key.pem'), good);
    await changed;
    expect((await peerOf(port, 'broken.example.com')).fingerprint256).toBe(await fingerprintOf(good));
  });

  it('with ACME_DOMAINS creates the ACME directory, starts without any pair, and serves one once the ACME client writes it', async () => {
    const dataDir = tempDir();
    const { store, logs } = await startStore(settingsFor({ ACME_DOMAINS: 'acme.example.com' }, dataDir));
    expect(logs.some((entry) => entry.msg.startsWith('no certificate yet'))).toBe(true);
    const { port } = await startServer(store);
    await expect(open(port, { servername: 'acme.example.com' })).rejects.toThrow();

    const issued = await makeTestPair({ names: ['acme.example.com'] });
    const domainDir = join(dataDir, 'acme', 'certs', 'acme.example.com');
    const changed = once(store, 'change');
    // As the ACME client writes: a temporary directory renamed into place.
    mkdirSync(`${domainDir}.tmp`);
    writeTestPair(join(`${domainDir}.tmp`, 'cert.pem'), join(`${domainDir}.tmp`, 'key.pem'), issued);
    renameSync(`${domainDir}.tmp`, domainDir);
    await changed;
    expect((await peerOf(port, 'acme.example.com')).fingerprint256).toBe(await fingerprintOf(issued));
    expect(readFileSync(join(domainDir, 'cert.pem'), 'utf8')).toBe(issued.cert);
  });
});
