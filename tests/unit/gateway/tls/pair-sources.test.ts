// Finding the pairs: the default pair, and in a directory every documented
// layout (name.crt + name.key, name/cert.pem + key.pem, certbot's
// fullchain.pem + privkey.pem, a Kubernetes secret's symlinks), hidden names
// skipped, a certificate without its key reported, and what to watch.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scanPairSources } from '../../../../gateway/tls/pair-sources.ts';
import { makeTempDir } from '../../../helpers/test-certificates.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function tempDir(): string {
  const { dir, cleanup } = makeTempDir();
  cleanups.push(cleanup);
  return dir;
}

const none = { certFile: null, keyFile: null, certDir: null, acmeCertDir: null };
const touch = (...paths: string[]) => paths.forEach((path) => writeFileSync(path, 'x'));

describe('scanPairSources', () => {
  it('lists the default pair and watches its directories for its two names (and a Kubernetes ..data swap)', async () => {
    const scan = await scanPairSources({ ...none, certFile: '/etc/tls/site.crt', keyFile: '/etc/keys/site.key' });
    expect(scan.sources).toEqual([{ id: '/etc/tls/site.crt', certFile: '/etc/tls/site.crt', keyFile: '/etc/keys/site.key', kind: 'default' }]);
    expect(scan.watch).toEqual([
      { dir: '/etc/tls', names: new Set(['site.crt', '..data']) },
      { dir: '/etc/keys', names: new Set(['site.key', '..data']) },
    ]);
    expect(scan.problems).toEqual([]);
  });

  it('watches one directory once when both files live in it', async () => {
    const scan = await scanPairSources({ ...none, certFile: '/etc/tls/site.crt', keyFile: '/etc/tls/site.key' });
    expect(scan.watch).toEqual([{ dir: '/etc/tls', names: new Set(['site.crt', 'site.key', '..data']) }]);
  });

  it('finds every layout in TLS_CERT_DIR, skips hidden names and lone keys, and reports a certificate without its key', async () => {
    const dir = tempDir();
    touch(join(dir, 'a.crt'), join(dir, 'a.key'), join(dir, '.partial.crt'), join(dir, 'lonely.key'), join(dir, 'b.crt'), join(dir, 'README'));
    mkdirSync(join(dir, 'org'));
    touch(join(dir, 'org', 'cert.pem'), join(dir, 'org', 'key.pem'));
    mkdirSync(join(dir, 'certbot'));
    touch(join(dir, 'certbot', 'fullchain.pem'), join(dir, 'certbot', 'privkey.pem'), join(dir, 'certbot', 'chain.pem'));
    mkdirSync(join(dir, 'halfway'));
    touch(join(dir, 'halfway', 'cert.pem'));
    mkdirSync(join(dir, 'empty'));
    // A Kubernetes TLS secret volume: the files are symlinks through ..data.
    mkdirSync(join(dir, '..2026_11_29'));
    touch(join(dir, '..2026_11_29', 'tls.crt'), join(dir, '..2026_11_29', 'tls.key'));
    symlinkSync('..2026_11_29', join(dir, '..data'));
    symlinkSync(join('..data', 'tls.crt'), join(dir, 'tls.crt'));
    symlinkSync(join('..data', 'tls.key'), join(dir, 'tls.key'));

    const scan = await scanPairSources({ ...none, certDir: dir });
    expect(scan.sources.map((source) => [source.certFile.slice(dir.length + 1), source.keyFile.slice(dir.length + 1), source.kind])).toEqual([
      ['a.crt', 'a.key', 'dir'],
      ['certbot/fullchain.pem', 'certbot/privkey.pem', 'dir'],
      ['org/cert.pem', 'org/key.pem', 'dir'],
      ['tls.crt', 'tls.key', 'dir'],
    ]);
    expect(scan.problems.map((problem) => [problem.file.slice(dir.length + 1), problem.reason])).toEqual([
      ['b.crt', 'has no key beside it (expected b.key)'],
      ['halfway/cert.pem', 'has no key beside it (expected key.pem)'],
    ]);
    expect(scan.watch.map((target) => [target.dir.slice(dir.length), target.names])).toEqual([
      ['', null],
      ['/certbot', null],
      ['/empty', null],
      ['/halfway', null],
      ['/org', null],
    ]);
  });

  it('reports a missing directory, and marks the ACME directory’s pairs as such', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'acme', 'api.example.com'), { recursive: true });
    touch(join(dir, 'acme', 'api.example.com', 'cert.pem'), join(dir, 'acme', 'api.example.com', 'key.pem'));
    const scan = await scanPairSources({ ...none, certDir: join(dir, 'missing'), acmeCertDir: join(dir, 'acme') });
    expect(scan.problems.map((problem) => problem.message)).toEqual([`${join(dir, 'missing')}: directory is missing`]);
    expect(scan.sources).toEqual([{ id: join(dir, 'acme', 'api.example.com', 'cert.pem'), certFile: join(dir, 'acme', 'api.example.com', 'cert.pem'), keyFile: join(dir, 'acme', 'api.example.com', 'key.pem'), kind: 'acme' }]);
  });
});
