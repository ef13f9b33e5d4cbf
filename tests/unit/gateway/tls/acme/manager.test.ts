// The manager's decisions without a CA: a fake authority hands out self-signed
// pairs (or throws), the clock and the timers are the test's. What is kept, what
// is ordered, what is logged, and what is armed next.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CertificateAuthority, IssuedPair } from '../../../../../gateway/tls/acme/certificate-authority.ts';
import { createChallengeStore } from '../../../../../gateway/tls/acme/challenge-store.ts';
import { acmePaths, writeCertificatePair, type AcmePaths } from '../../../../../gateway/tls/acme/files.ts';
import { AcmeManager, type Timers } from '../../../../../gateway/tls/acme/manager.ts';
import { makeTestPair } from '../../../../helpers/test-certificates.ts';

const DAY = 86_400_000;
const DOMAIN = 'api.example.com';

function harness(paths: AcmePaths, obtain: (domain: string) => Promise<IssuedPair>, now = Date.now()) {
  const lines: Array<{ level: string; fields: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, fields, msg });
  const armed: Array<{ callback: () => void; ms: number; cleared: boolean }> = [];
  const timers: Timers = {
    set: (callback, ms) => {
      const entry = { callback, ms, cleared: false };
      armed.push(entry);
      return entry;
    },
    clear: (handle) => void (handle && ((handle as { cleared: boolean }).cleared = true)),
  };
  let orders = 0;
  const authority: CertificateAuthority = {
    obtain: (domain) => {
      orders += 1;
      return obtain(domain);
    },
  };
  const clock = { now };
  const manager = new AcmeManager({
    domains: [DOMAIN],
    paths,
    authority,
    challenges: createChallengeStore(paths.challengesDir),
    logger: { info: at('info'), warn: at('warn'), error: at('error') } as never,
    now: () => clock.now,
    timers,
  });
  return { manager, lines, clock, orders: () => orders, pending: () => armed.filter((entry) => !entry.cleared) };
}

const pairFor = async (names: string[], days = 90): Promise<IssuedPair> => {
  const pair = await makeTestPair({ names, notAfter: new Date(Date.now() + days * DAY) });
  return { certPem: pair.cert, keyPem: pair.key };
};

describe('AcmeManager', () => {
  let dir: string;
  let paths: AcmePaths;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'acme-manager-'));
    paths = acmePaths(dir);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps a stored certificate outside the renewal window and arms the timer for the window', async () => {
    const stored = await pairFor([DOMAIN], 50);
    await writeCertificatePair(paths, DOMAIN, stored);
    const h = harness(paths, () => Promise.reject(new Error('must not order')));
    const outcome = await h.manager.check(DOMAIN);
    expect(outcome.outcome).toBe('valid');
    expect(h.orders()).toBe(0);
    if (outcome.outcome !== 'valid') return;
    expect(h.pending().map((timer) => timer.ms)).toEqual([outcome.certificate.notAfter - 30 * DAY - h.clock.now]);
  });

  it.each([
    ['missing', async () => {}],
    ['naming another host', async (paths: AcmePaths) => writeCertificatePair(paths, DOMAIN, await pairFor(['other.example.com']))],
    ['with a key that is not its own', async (paths: AcmePaths) => {
      const [a, b] = [await pairFor([DOMAIN]), await pairFor([DOMAIN])];
      await writeCertificatePair(paths, DOMAIN, { certPem: a.certPem, keyPem: b.keyPem });
    }],
    ['cut short', async (paths: AcmePaths) => {
      const pair = await pairFor([DOMAIN]);
      await writeCertificatePair(paths, DOMAIN, { certPem: pair.certPem.slice(0, 200), keyPem: pair.keyPem });
    }],
    ['inside the renewal window', async (paths: AcmePaths) => writeCertificatePair(paths, DOMAIN, await pairFor([DOMAIN], 20))],
  ])('orders a new certificate when the stored one is %s', async (_name, prepare) => {
    await prepare(paths);
    const issued = await pairFor([DOMAIN]);
    const h = harness(paths, async () => issued);
    const outcome = await h.manager.check(DOMAIN);
    expect(outcome.outcome).toBe('issued');
    expect(await readFile(join(paths.certDir(DOMAIN), 'cert.pem'), 'utf8')).toBe(issued.certPem);
    expect(await readFile(join(paths.certDir(DOMAIN), 'key.pem'), 'utf8')).toBe(issued.keyPem);
  });

  it('refuses what the CA sent when it does not name the domain, and keeps the old pair', async () => {
    const stored = await pairFor([DOMAIN], 20);
    await writeCertificatePair(paths, DOMAIN, stored);
    const h = harness(paths, () => pairFor(['someone-else.example.com']));
    const outcome = await h.manager.check(DOMAIN);
    expect(outcome.outcome).toBe('failed');
    expect(await readFile(join(paths.certDir(DOMAIN), 'cert.pem'), 'utf8')).toBe(stored.certPem);
    expect(h.lines.at(-1)!.msg).toMatch(/not obtained: the CA's certificate is unusable: the certificate does not name api\.example\.com; the old certificate stays/);
  });

  it('logs an error (not a warning) when there is no certificate to fall back on', async () => {
    const h = harness(paths, () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:443')));
    const outcome = await h.manager.check(DOMAIN);
    expect(outcome).toMatchObject({ outcome: 'failed', kept: null });
    const line = h.lines.at(-1)!;
    expect(line.level).toBe('error');
    expect(line.msg).toBe(`certificate for ${DOMAIN} not obtained: connect ECONNREFUSED 127.0.0.1:443; no certificate for it yet; next try at ${new Date(h.clock.now + 60_000).toISOString()} (in 60 s)`);
  });

  it('starts over at the first delay after a success', async () => {
    let fail = true;
    const issued = await pairFor([DOMAIN]);
    const h = harness(paths, async () => {
      if (fail) throw new Error('down');
      return issued;
    });
    await h.manager.check(DOMAIN);
    await h.manager.check(DOMAIN);
    expect((await h.manager.check(DOMAIN)).nextCheckAt - h.clock.now).toBe(240_000);
    fail = false;
    const renewed = await h.manager.check(DOMAIN);
    expect(renewed.outcome).toBe('issued');
    // Inside the window again (the clock jumps), and it fails: one minute, not eight.
    fail = true;
    h.clock.now += 80 * DAY;
    expect((await h.manager.check(DOMAIN)).nextCheckAt - h.clock.now).toBe(60_000);
  });

  it('runs one order per domain at a time (a timer firing during a check joins it)', async () => {
    let release!: (pair: IssuedPair) => void;
    let ordering!: () => void;
    const ordered = new Promise<void>((resolve) => (ordering = resolve));
    const h = harness(paths, () => {
      ordering();
      return new Promise((resolve) => (release = resolve));
    });
    const first = h.manager.check(DOMAIN);
    const second = h.manager.check(DOMAIN);
    expect(second).toBe(first);
    await ordered;
    expect(h.manager.check(DOMAIN)).toBe(first);
    release(await pairFor([DOMAIN]));
    await first;
    expect(h.orders()).toBe(1);
  });

  it('arms nothing once stopped', async () => {
    const h = harness(paths, () => Promise.reject(new Error('down')));
    h.manager.stop();
    await h.manager.check(DOMAIN);
    expect(h.pending()).toEqual([]);
  });

  it('takes waits longer than Node\'s timer limit in steps', async () => {
    await writeCertificatePair(paths, DOMAIN, await pairFor([DOMAIN], 365));
    const h = harness(paths, () => Promise.reject(new Error('must not order')));
    await h.manager.check(DOMAIN);
    expect(h.pending().map((timer) => timer.ms)).toEqual([2 ** 31 - 1]);
  });

  it('never writes a challenge token that could leave the challenge directory', async () => {
    const store = createChallengeStore(paths.challengesDir);
    await expect(store.put('../account-key', 'x')).rejects.toThrow('not an ACME challenge token');
    expect(await store.get('../../etc/passwd')).toBeNull();
    await writeFile(join(dir, 'outside'), 'secret');
    expect(await store.get('..%2foutside')).toBeNull();
  });
});
