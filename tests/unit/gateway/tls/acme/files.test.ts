// DATA_DIR/acme on disk: owner-only modes, whole-file writes, and an account key
// that is made once and never silently replaced.
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountKeyError, loadOrCreateAccountKey } from '../../../../../gateway/tls/acme/account-key.ts';
import { acmePaths, readCertificatePair, writeCertificatePair, writeFileAtomic, type AcmePaths } from '../../../../../gateway/tls/acme/files.ts';

describe('DATA_DIR/acme files', () => {
  let dir: string;
  let paths: AcmePaths;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'acme-files-'));
    paths = acmePaths(join(dir, 'data'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('makes the account key once (0600 in a 0700 directory) and reuses it', async () => {
    const first = await loadOrCreateAccountKey(paths);
    expect(first.created).toBe(true);
    expect((await stat(paths.accountKey)).mode & 0o777).toBe(0o600);
    expect((await stat(paths.root)).mode & 0o777).toBe(0o700);
    const second = await loadOrCreateAccountKey(paths);
    expect(second).toEqual({ pem: first.pem, created: false });
  });

  it('refuses a damaged account key instead of starting a new account over it', async () => {
    await loadOrCreateAccountKey(paths);
    await writeFile(paths.accountKey, '-----BEGIN PRIVATE KEY-----\ncut');
    await expect(loadOrCreateAccountKey(paths)).rejects.toThrow(AccountKeyError);
    expect(await readFile(paths.accountKey, 'utf8')).toBe('-----BEGIN PRIVATE KEY-----\ncut');
  });

  it('writes a pair as two whole files, owner-only, leaving no temporary file behind', async () => {
    await writeCertificatePair(paths, 'api.example.com', { keyPem: 'KEY', certPem: 'CERT' });
    await writeCertificatePair(paths, 'api.example.com', { keyPem: 'KEY2', certPem: 'CERT2' });
    expect(await readCertificatePair(paths, 'api.example.com')).toEqual({ keyPem: 'KEY2', certPem: 'CERT2' });
    expect((await readdir(paths.certDir('api.example.com'))).sort()).toEqual(['cert.pem', 'key.pem']);
    for (const file of ['cert.pem', 'key.pem']) expect((await stat(join(paths.certDir('api.example.com'), file))).mode & 0o777).toBe(0o600);
    for (const path of [paths.certsDir, paths.certDir('api.example.com')]) expect((await stat(path)).mode & 0o777).toBe(0o700);
  });

  it('reads no pair when either file is missing', async () => {
    expect(await readCertificatePair(paths, 'api.example.com')).toBeNull();
    await writeCertificatePair(paths, 'api.example.com', { keyPem: 'KEY', certPem: 'CERT' });
    await rm(join(paths.certDir('api.example.com'), 'cert.pem'));
    expect(await readCertificatePair(paths, 'api.example.com')).toBeNull();
  });

  it('removes its temporary file when the rename fails, and touches no other file', async () => {
    const target = join(dir, 'a-directory');
    await writeFileAtomic(join(dir, 'plain'), 'old');
    // A non-empty directory where the file should go: rename fails, the temporary file is removed.
    await mkdir(join(target, 'inner'), { recursive: true });
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow();
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(await readFile(join(dir, 'plain'), 'utf8')).toBe('old');
  });
});
