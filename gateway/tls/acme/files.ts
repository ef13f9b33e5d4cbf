// DATA_DIR/acme: what the ACME manager keeps, and the only channel to the listeners
// (in this process or in workers): they read these files, never the manager's memory.
//
//   DATA_DIR/acme/                      0700
//     account-key.pem                   0600  the ACME account's key (made once)
//     certs/<domain>/key.pem            0600  certificate key   } read by the certificate
//     certs/<domain>/cert.pem           0600  leaf + chain      } store (gateway/tls)
//     challenges/<token>                0600  HTTP-01 key authorizations, while an order runs
//
// Every file is written whole to a temporary name and renamed into place, so a
// reader sees the old file or the new one, never half of one.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface AcmePaths {
  root: string;
  accountKey: string;
  certsDir: string;
  challengesDir: string;
  certDir(domain: string): string;
}

export function acmePaths(dataDir: string): AcmePaths {
  const root = join(dataDir, 'acme');
  const certsDir = join(root, 'certs');
  return {
    root,
    accountKey: join(root, 'account-key.pem'),
    certsDir,
    challengesDir: join(root, 'challenges'),
    // Domains were validated as host names (settings.ts): no "/" or "..", safe as a directory name.
    certDir: (domain) => join(certsDir, domain),
  };
}

/** mkdir -p with 0700 on every directory this module owns (existing ones tightened too). */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/** Writes `text` to `file` (0600) atomically: temp file in the same directory, fsync, rename. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  await writeFilesAtomic([{ file, text }]);
}

/**
 * Several files, each atomically: every temporary file is written and synced
 * first, then they are renamed in the given order, back to back, so a watcher
 * sees the set change within microseconds rather than one slow write apart.
 */
export async function writeFilesAtomic(files: Array<{ file: string; text: string }>): Promise<void> {
  const temps: string[] = [];
  try {
    for (const { file, text } of files) {
      const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      temps.push(temp);
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    for (const [index, { file }] of files.entries()) await rename(temps[index]!, file);
  } catch (error) {
    await Promise.all(temps.map((temp) => rm(temp, { force: true })));
    throw error;
  }
}

export async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Writes a certificate pair into certs/<domain>/. Both files are ready on disk
 * before either is renamed; the key is renamed first, so there is never a
 * certificate in place whose key is not. The two renames are microseconds apart,
 * well inside the certificate store's debounce: it reads the new pair once. (Were
 * it to look in between, it would refuse the mismatched pair and keep serving the
 * old one until cert.pem lands.)
 */
export async function writeCertificatePair(paths: AcmePaths, domain: string, pair: { keyPem: string; certPem: string }): Promise<void> {
  const dir = paths.certDir(domain);
  await ensurePrivateDir(paths.root);
  await ensurePrivateDir(paths.certsDir);
  await ensurePrivateDir(dir);
  await writeFilesAtomic([
    { file: join(dir, 'key.pem'), text: pair.keyPem },
    { file: join(dir, 'cert.pem'), text: pair.certPem },
  ]);
}

export async function readCertificatePair(paths: AcmePaths, domain: string): Promise<{ keyPem: string; certPem: string } | null> {
  const dir = paths.certDir(domain);
  const [keyPem, certPem] = await Promise.all([readIfExists(join(dir, 'key.pem')), readIfExists(join(dir, 'cert.pem'))]);
  return keyPem && certPem ? { keyPem, certPem } : null;
}
