// What makes a pair servable: complete PEM on both sides, the key being the
// certificate's, the validity dates, and OpenSSL's own acceptance. Each refusal
// names the file at fault.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import selfsigned from 'selfsigned';
import { afterEach, describe, expect, it } from 'vitest';
import { buildCertificatePair, CertificateRefusedError, readPairFiles, type PairSource } from '../../../../gateway/tls/certificate-pair.ts';
import { CIPHERS, sharedContextOptions } from '../../../../gateway/tls/context-options.ts';
import { expiredPair, futurePair, makeTempDir, makeTestPair, writeTestPair, type TestPair } from '../../../helpers/test-certificates.ts';

const source: PairSource = { id: '/certs/site.crt', certFile: '/certs/site.crt', keyFile: '/certs/site.key', kind: 'default' };
const shared = sharedContextOptions('TLSv1.2');
const build = (pair: TestPair, acceptOutsideValidity = false) =>
  buildCertificatePair(source, { cert: Buffer.from(pair.cert), key: Buffer.from(pair.key) }, { shared, now: new Date(), acceptOutsideValidity });

function refusal(action: () => unknown): CertificateRefusedError {
  try {
    action();
  } catch (error) {
    if (error instanceof CertificateRefusedError) return error;
    throw error;
  }
  throw new Error('not refused');
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

describe('buildCertificatePair', () => {
  it('reads names, dates and fingerprint, and makes a context with the shared TLS options', async () => {
    const pair = await makeTestPair({ names: ['API.example.com', '*.example.com', 'api.example.com'] });
    const built = build(pair);
    const x509 = new X509Certificate(pair.cert);
    expect(built).toMatchObject({ names: ['api.example.com', '*.example.com'], subject: 'CN=API.example.com', fingerprint: x509.fingerprint256, validityProblem: null });
    expect(built.validTo).toEqual(x509.validToDate);
    expect(built.contextOptions).toMatchObject({ minVersion: 'TLSv1.2', ciphers: CIPHERS, honorCipherOrder: true, ticketKeys: shared.ticketKeys });
  });

  it('falls back to the CN when the certificate has no SAN', async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'Legacy.example.com' }], { keyType: 'ec', algorithm: 'sha256', extensions: [{ name: 'basicConstraints', cA: false }] });
    expect(build({ cert: pems.cert, key: pems.private }).names).toEqual(['legacy.example.com']);
  });

  it('takes a chain (leaf first) and the traditional EC key form', async () => {
    const leaf = await makeTestPair({ names: ['leaf.example.com'] });
    const other = await makeTestPair({ names: ['intermediate.example.com'] });
    const sec1 = createPrivateKey(leaf.key).export({ type: 'sec1', format: 'pem' }) as string;
    expect(sec1).toContain('BEGIN EC PRIVATE KEY');
    expect(build({ cert: `${leaf.cert.trim()}\n${other.cert}`, key: sec1 }).names).toEqual(['leaf.example.com']);
  });

  it.each([
    ['a certificate cut in the middle', (p: TestPair) => ({ ...p, cert: p.cert.slice(0, p.cert.length / 2) }), 'cert', /is incomplete \(a PEM block has no END line: half-written\?\)/],
    ['a chain cut after the leaf', (p: TestPair) => ({ ...p, cert: p.cert + p.cert.slice(0, 100) }), 'cert', /is incomplete/],
    ['a certificate whose base64 is damaged', (p: TestPair) => ({ ...p, cert: p.cert.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!!!!!!!!!!!!!!!!!') }), 'cert', /is not a valid PEM certificate/],
    ['a chain concatenated without a newline', (p: TestPair) => ({ ...p, cert: p.cert.trim() + p.cert }), 'cert', /has two PEM blocks on one line \(a newline is missing between concatenated files\)/],
    ['an empty certificate file', (p: TestPair) => ({ ...p, cert: '' }), 'cert', /is not a PEM certificate \(no BEGIN CERTIFICATE line\)/],
    ['a key where the certificate should be', (p: TestPair) => ({ ...p, cert: p.key }), 'cert', /holds no certificate \(found PRIVATE KEY\)/],
    ['an empty key file', (p: TestPair) => ({ ...p, key: '' }), 'key', /is not a PEM private key/],
    ['a key cut in the middle', (p: TestPair) => ({ ...p, key: p.key.slice(0, p.key.length / 2) }), 'key', /is not a valid PEM private key/],
    ['an encrypted key', (p: TestPair) => ({ ...p, key: createPrivateKey(p.key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string }), 'key', /is an encrypted private key \(the gateway takes no passphrase/],
  ])('refuses %s, naming the file', async (_name, damage, faulty, reason) => {
    const error = refusal(() => build(damage(pairForDamage)));
    expect(error.file).toBe(faulty === 'cert' ? source.certFile : source.keyFile);
    expect(error.reason).toMatch(reason);
    expect(error.message).toBe(`${error.file}: ${error.reason}`);
  });

  it('refuses a key that is not the certificate’s, naming both files', async () => {
    const other = await makeTestPair({ names: ['other.example.com'] });
    const error = refusal(() => build({ cert: pairForDamage.cert, key: other.key }));
    expect(error).toMatchObject({ file: source.keyFile, reason: `is not the private key of ${source.certFile} (key and certificate do not match)` });
  });

  it.each([
    ['expired', () => expiredPair(['old.example.com']), /^expired on \d{4}-\d\d-\d\dT[\d:.]+Z$/],
    ['not yet valid', () => futurePair(['new.example.com']), /^is not valid yet \(valid from \d{4}-\d\d-\d\dT[\d:.]+Z\)$/],
  ])('refuses a certificate %s on reload, and accepts it with the problem noted at start', async (_name, make, reason) => {
    const pair = await make();
    expect(refusal(() => build(pair))).toMatchObject({ file: source.certFile, reason: expect.stringMatching(reason) });
    expect(build(pair, true).validityProblem).toMatch(reason);
  });

  it('refuses a pair OpenSSL will not serve (a 1024-bit RSA key), with OpenSSL’s reason', async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'weak.example.com' }], { keySize: 1024, algorithm: 'sha256' });
    expect(refusal(() => build({ cert: pems.cert, key: pems.private })).reason).toMatch(/^refused by OpenSSL \(.*ee key too small\)$/);
  });
});

describe('readPairFiles', () => {
  it('reads both files, and refuses a missing one by name', async () => {
    const { dir, cleanup } = makeTempDir();
    cleanups.push(cleanup);
    const files = { id: join(dir, 'a.crt'), certFile: join(dir, 'a.crt'), keyFile: join(dir, 'a.key'), kind: 'dir' } as const;
    await expect(readPairFiles(files)).rejects.toMatchObject({ file: files.certFile, reason: 'file is missing' });
    writeTestPair(files.certFile, files.keyFile, pairForDamage);
    expect((await readPairFiles(files)).cert.toString()).toBe(pairForDamage.cert);
  });
});

const pairForDamage = await makeTestPair({ names: ['site.example.com'] });
