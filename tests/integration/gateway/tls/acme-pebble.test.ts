// Automatic certificates end to end against Pebble, Let's Encrypt's test ACME
// server: the real acme-client talks to a real CA whose validation authority
// fetches the HTTP-01 answer from our plain-HTTP listener, and the certificate
// store (gateway/tls) serves what was issued to TLS clients, hot-reloaded. Covers
// the first issuance, the renewal 30 days before expiry (the clock is injected,
// nothing waits), a challenge that cannot be answered (the old certificate stays)
// and an ACME server that is down (backoff, and a log line saying when the next
// try is). Every wait is on an event or a promise of the code under test.
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { createCertificateStore, type CertificateStore } from '../../../../gateway/tls/certificate-store.ts';
import { readTlsSettings } from '../../../../gateway/tls/settings.ts';
import { loadOrCreateAccountKey } from '../../../../gateway/tls/acme/account-key.ts';
import { createCertificateAuthority } from '../../../../gateway/tls/acme/certificate-authority.ts';
import { createChallengeStore } from '../../../../gateway/tls/acme/challenge-store.ts';
import { acmePaths, type AcmePaths } from '../../../../gateway/tls/acme/files.ts';
import { AcmeManager, type Timers } from '../../../../gateway/tls/acme/manager.ts';
import { createHttpRedirectServer, listenHttpRedirect } from '../../../../gateway/tls/http-redirect.ts';
import { pebbleInstalled, startPebble, type TestPebble } from '../../../helpers/pebble.ts';

const DAY = 24 * 3600_000;
const DOMAIN = 'api.fullon.test';

/** Timers the test fires by hand: the renewal timer is armed for real, but nobody waits 5 years. */
function manualTimers() {
  const armed: Array<{ callback: () => void; ms: number; cleared: boolean }> = [];
  const timers: Timers = {
    set: (callback, ms) => {
      const entry = { callback, ms, cleared: false };
      armed.push(entry);
      return entry;
    },
    clear: (handle) => {
      if (handle) (handle as { cleared: boolean }).cleared = true;
    },
  };
  const pending = () => armed.filter((entry) => !entry.cleared);
  return { timers, pending };
}

function captureLog() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, fields, msg });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } as never };
}

describe.skipIf(!pebbleInstalled())('ACME against Pebble', () => {
  let dir: string;
  let paths: AcmePaths;
  let listener: Server;
  let pebble: TestPebble;
  let accountKeyPem: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'acme-pebble-'));
    paths = acmePaths(join(dir, 'data'));
    const challenges = createChallengeStore(paths.challengesDir);
    listener = createHttpRedirectServer({ names: new Set([DOMAIN]), httpsPort: 443, challenges, logger: captureLog().logger });
    const port = await listenHttpRedirect(listener, '127.0.0.1', 0);
    pebble = await startPebble({ dir, httpPort: port });
    accountKeyPem = (await loadOrCreateAccountKey(paths)).pem;
  });
  afterAll(async () => {
    listener?.closeAllConnections();
    await new Promise((resolve) => listener?.close(resolve));
    await pebble?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function managerAt(clock: { now: number }, options: { directoryUrl?: string } = {}) {
    const log = captureLog();
    const { timers, pending } = manualTimers();
    const authority = await createCertificateAuthority({
      directoryUrl: options.directoryUrl ?? pebble.directoryUrl,
      email: 'ops@fullon.test',
      accountKeyPem,
      caPem: await readFile(pebble.caFile, 'utf8'),
      pollMinMs: 100,
      pollMaxMs: 500,
    });
    const manager = new AcmeManager({
      domains: [DOMAIN],
      paths,
      authority,
      challenges: createChallengeStore(paths.challengesDir),
      logger: log.logger,
      now: () => clock.now,
      schedule: { retryInitialMs: 60_000, retryMaxMs: 3600_000 },
      timers,
    });
    return { manager, log, pending };
  }

  const certPem = () => readFile(join(paths.certDir(DOMAIN), 'cert.pem'), 'utf8');
  const keyPem = () => readFile(join(paths.certDir(DOMAIN), 'key.pem'), 'utf8');

  // The HTTPS side: the certificate store on DATA_DIR/acme/certs behind a TLS server.
  let store: CertificateStore;
  let https: TlsServer;
  beforeEach(async () => {
    await rm(paths.certsDir, { recursive: true, force: true });
    await pebble.resolve(DOMAIN, null);
    const settings = readTlsSettings({ ACME_DOMAINS: DOMAIN }, { dataDir: join(dir, 'data'), reloadDebounceMs: 20 });
    store = await createCertificateStore({ settings, logger: pino({ level: 'silent' }) });
    https = createTlsServer(store.serverOptions(), (socket) => socket.end());
    https.on('tlsClientError', () => {});
    store.attach(https);
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    store.close();
    await new Promise((resolve) => https.close(resolve));
  });

  /** Resolves when the store has loaded a new cert.pem for the domain (added or updated). */
  function storeLoads(): Promise<void> {
    return new Promise((resolve) => {
      const onChange = (change: { added: string[]; updated: string[] }) => {
        if ([...change.added, ...change.updated].some((file) => file.endsWith(join(DOMAIN, 'cert.pem')))) {
          store.off('change', onChange);
          resolve();
        }
      };
      store.on('change', onChange);
    });
  }

  /** A TLS client that trusts only Pebble's root, asking for DOMAIN by SNI. */
  async function served(): Promise<{ authorized: boolean; serial: string; subjectaltname: string | undefined }> {
    const root = await pebble.issuingRoot();
    return new Promise((resolve, reject) => {
      const socket = connect({ port: (https.address() as AddressInfo).port, host: '127.0.0.1', servername: DOMAIN, ca: root }, () => {
        const peer = socket.getPeerCertificate();
        resolve({ authorized: socket.authorized, serial: peer.serialNumber, subjectaltname: peer.subjectaltname });
        socket.end();
      });
      socket.once('error', reject);
    });
  }

  it('orders the first certificate, stores it privately, and the store serves it over TLS', async () => {
    const clock = { now: Date.now() };
    const { manager, log, pending } = await managerAt(clock);
    const loaded = storeLoads();
    const first = await manager.check(DOMAIN);
    expect(first.outcome).toBe('issued');
    await loaded;

    // Owner-only files in owner-only directories.
    for (const path of [paths.root, paths.certsDir, paths.certDir(DOMAIN)]) expect((await stat(path)).mode & 0o777).toBe(0o700);
    for (const file of ['cert.pem', 'key.pem']) expect((await stat(join(paths.certDir(DOMAIN), file))).mode & 0o777).toBe(0o600);
    expect((await stat(paths.accountKey)).mode & 0o777).toBe(0o600);

    // The store serves it; a client that knows only Pebble's root trusts it.
    const seen = await served();
    expect(seen).toMatchObject({ authorized: true, subjectaltname: `DNS:${DOMAIN}` });
    expect(seen.serial).toBe(new X509Certificate(await certPem()).serialNumber);

    // The renewal timer is armed for 30 days before expiry.
    const notAfter = Date.parse(new X509Certificate(await certPem()).validTo);
    expect(pending().map((timer) => timer.ms)).toEqual([Math.min(notAfter - 30 * DAY - clock.now, 2 ** 31 - 1)]);
    expect(log.lines.find((line) => line.msg.startsWith(`certificate for ${DOMAIN} issued`))?.fields.renew_at).toBe(new Date(notAfter - 30 * DAY).toISOString());

    // A second look keeps it: no new order while it is valid.
    const again = await manager.check(DOMAIN);
    expect(again.outcome).toBe('valid');
    manager.stop();
  });

  it('renews from the timer once inside the 30-day window, without a restart', async () => {
    const clock = { now: Date.now() };
    const { manager, pending } = await managerAt(clock);
    const loaded = storeLoads();
    const first = await manager.check(DOMAIN);
    if (first.outcome !== 'issued') throw new Error(first.outcome);
    await loaded;
    const oldSerial = first.certificate.serial;

    // Time passes to 29 days before expiry; the armed timer fires.
    clock.now = first.certificate.notAfter - 29 * DAY;
    const renewed = new Promise((resolve) => manager.once('checked', resolve));
    const reloaded = storeLoads();
    pending().at(-1)!.callback();
    const outcome = (await renewed) as Awaited<ReturnType<AcmeManager['check']>>;
    expect(outcome.outcome).toBe('issued');
    if (outcome.outcome !== 'issued') return;
    expect(outcome.certificate.serial).not.toBe(oldSerial);
    expect(new X509Certificate(await certPem()).serialNumber).toBe(outcome.certificate.serial);
    // The running TLS server hands out the new certificate: no restart.
    await reloaded;
    expect((await served()).serial).toBe(outcome.certificate.serial);
    manager.stop();
  });

  it('keeps the old certificate when the challenge cannot be answered, and backs off', async () => {
    const clock = { now: Date.now() };
    const { manager, log } = await managerAt(clock);
    const loaded = storeLoads();
    const first = await manager.check(DOMAIN);
    if (first.outcome !== 'issued') throw new Error(first.outcome);
    await loaded;
    const [oldCert, oldKey] = [await certPem(), await keyPem()];

    // The name now points somewhere that is not us (nothing listens on 127.0.0.2), and
    // our listener no longer answers challenges either: the premise holds whatever
    // address Pebble's validator reaches (one run in a full parallel suite got 'issued').
    await pebble.resolve(DOMAIN, '127.0.0.2');
    const answering = listener.listeners('request') as Array<(...args: unknown[]) => void>;
    listener.removeAllListeners('request');
    listener.on('request', (_req: IncomingMessage, res: ServerResponse) => res.writeHead(404).end());
    onTestFinished(() => {
      listener.removeAllListeners('request');
      for (const handler of answering) listener.on('request', handler);
    });
    clock.now = first.certificate.notAfter - 10 * DAY;
    const failed = await manager.check(DOMAIN);
    expect(failed.outcome).toBe('failed');
    expect([await certPem(), await keyPem()]).toEqual([oldCert, oldKey]);
    expect((await served()).serial).toBe(first.certificate.serial);
    const line = log.lines.at(-1)!;
    expect(line.level).toBe('warn');
    expect(line.msg).toMatch(new RegExp(`^certificate for ${DOMAIN.replaceAll('.', '\\.')} not obtained: .+; the old certificate stays \\(valid until .+\\); next try at ${new Date(clock.now + 60_000).toISOString()} \\(in 60 s\\)$`));

    // Consecutive failures double the delay.
    const second = await manager.check(DOMAIN);
    expect(second.nextCheckAt - clock.now).toBe(120_000);
    expect(log.lines.at(-1)!.msg).toContain('(in 2 min)');
    manager.stop();
  });

  describe('an ACME server that is down', () => {
    let down: TcpServer;
    beforeEach(async () => {
      // Accepts and drops every connection: what a crashed CA behind a load balancer looks like.
      down = createTcpServer((socket) => socket.destroy());
      await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    });
    afterEach(async () => {
      await new Promise((resolve) => down.close(resolve));
    });

    it('retries with a capped backoff, keeps the old certificate, and says when the next try is', async () => {
      const clock = { now: Date.now() };
      const issuing = await managerAt(clock);
      const first = await issuing.manager.check(DOMAIN);
      if (first.outcome !== 'issued') throw new Error(first.outcome);
      issuing.manager.stop();
      const oldCert = await certPem();

      clock.now = first.certificate.notAfter - 10 * DAY;
      const { manager, log, pending } = await managerAt(clock, { directoryUrl: `https://127.0.0.1:${(down.address() as AddressInfo).port}/dir` });
      const delays: number[] = [];
      for (let attempt = 0; attempt < 8; attempt++) {
        const outcome = await manager.check(DOMAIN);
        expect(outcome.outcome).toBe('failed');
        delays.push(outcome.nextCheckAt - clock.now);
      }
      // 1, 2, 4, ... minutes, capped at the maximum (an hour here).
      expect(delays).toEqual([1, 2, 4, 8, 16, 32, 60, 60].map((minutes) => minutes * 60_000));
      expect(pending().map((timer) => timer.ms)).toEqual([3600_000]);
      expect(await certPem()).toBe(oldCert);
      const line = log.lines.at(-1)!;
      expect(line.fields).toMatchObject({ domain: DOMAIN, failures: 8, next_try_at: new Date(clock.now + 3600_000).toISOString() });
      expect(line.msg).toMatch(/not obtained: .*(socket hang up|ECONNRESET|disconnected).*; the old certificate stays .*; next try at .* \(in 60 min\)$/);
      manager.stop();
    });
  });
});
