// Self-signed certificate pairs for TLS tests, made with `selfsigned` (WebCrypto
// underneath; EC P-256 so a pair takes milliseconds), and written into a
// per-test temporary directory. Validity dates are free, so expired and
// not-yet-valid certificates are as easy as good ones.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import selfsigned from 'selfsigned';

export interface TestPair {
  cert: string;
  key: string;
}

export interface TestPairOptions {
  /** DNS names (SAN); the first is also the CN. */
  names: string[];
  notBefore?: Date;
  notAfter?: Date;
}

const DAY = 86_400_000;

export async function makeTestPair(options: TestPairOptions): Promise<TestPair> {
  const notBefore = options.notBefore ?? new Date(Date.now() - DAY);
  const notAfter = options.notAfter ?? new Date(Date.now() + 30 * DAY);
  const pems = await selfsigned.generate([{ name: 'commonName', value: options.names[0]! }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: options.names.map((value) => ({ type: 2, value })) },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

export const expiredPair = (names: string[]) => makeTestPair({ names, notBefore: new Date(Date.now() - 30 * DAY), notAfter: new Date(Date.now() - DAY) });
export const futurePair = (names: string[]) => makeTestPair({ names, notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() + 30 * DAY) });

/** A temporary directory removed by the returned cleanup. */
export function makeTempDir(prefix = 'tls-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes cert and key (key 0600, as a real one should be). */
export function writeTestPair(certFile: string, keyFile: string, pair: TestPair): void {
  writeFileSync(certFile, pair.cert);
  writeFileSync(keyFile, pair.key, { mode: 0o600 });
}
