// Where the pairs are: the settings' default pair plus every pair found in
// TLS_CERT_DIR and in the ACME directory, and which directories to watch for
// them. A directory holds pairs in either layout (docs/https.md):
//   <name>.crt + <name>.key             (also a Kubernetes TLS secret: tls.crt + tls.key)
//   <name>/cert.pem + <name>/key.pem    (what the ACME client writes)
//   <name>/fullchain.pem + <name>/privkey.pem   (certbot's live/<domain>/)
// Names starting with "." are skipped (temporary files, Kubernetes' ..data).
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CertificateRefusedError, type PairSource } from './certificate-pair.ts';
import type { TlsSettings } from './settings.ts';

export interface WatchTarget {
  dir: string;
  /** Only these file names matter there (the default pair's directory); null: any change. */
  names: ReadonlySet<string> | null;
}

export interface SourceScan {
  sources: PairSource[];
  watch: WatchTarget[];
  /** A lone certificate without its key, a missing directory: refusals like a broken pair's. */
  problems: CertificateRefusedError[];
}

const SUBDIR_LAYOUTS = [
  ['cert.pem', 'key.pem'],
  ['fullchain.pem', 'privkey.pem'],
] as const;

type Sources = Pick<TlsSettings, 'certFile' | 'keyFile' | 'certDir' | 'acmeCertDir'>;

export async function scanPairSources(settings: Sources): Promise<SourceScan> {
  const scan: SourceScan = { sources: [], watch: [], problems: [] };
  if (settings.certFile && settings.keyFile) {
    scan.sources.push({ id: settings.certFile, certFile: settings.certFile, keyFile: settings.keyFile, kind: 'default' });
    // The directories, not the files: an editor or `mv` replaces a file by
    // renaming over it, which a watch on the file itself stops seeing. A
    // Kubernetes secret volume swaps its "..data" symlink instead.
    for (const file of [settings.certFile, settings.keyFile]) {
      const names = new Set([basename(file), '..data']);
      const existing = scan.watch.find((target) => target.dir === dirname(file));
      if (existing) scan.watch[scan.watch.indexOf(existing)] = { dir: existing.dir, names: new Set([...existing.names!, ...names]) };
      else scan.watch.push({ dir: dirname(file), names });
    }
  }
  if (settings.certDir) await scanDirectory(settings.certDir, 'dir', scan);
  if (settings.acmeCertDir) await scanDirectory(settings.acmeCertDir, 'acme', scan);
  return scan;
}

async function scanDirectory(dir: string, kind: 'dir' | 'acme', scan: SourceScan): Promise<void> {
  let entries: string[];
  try {
    entries = (await readdir(dir)).filter((name) => !name.startsWith('.')).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    scan.problems.push(new CertificateRefusedError(dir, code === 'ENOENT' ? 'directory is missing' : `directory cannot be read (${code})`));
    return;
  }
  scan.watch.push({ dir, names: null });
  const present = new Set(entries);
  for (const name of entries) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (info === null) continue;
    if (info.isFile() && name.endsWith('.crt')) {
      const keyName = `${name.slice(0, -'.crt'.length)}.key`;
      if (present.has(keyName)) scan.sources.push({ id: path, certFile: path, keyFile: join(dir, keyName), kind });
      else scan.problems.push(new CertificateRefusedError(path, `has no key beside it (expected ${keyName})`));
    } else if (info.isDirectory()) {
      scan.watch.push({ dir: path, names: null });
      const files = new Set(await readdir(path).catch(() => [] as string[]));
      const layout = SUBDIR_LAYOUTS.find(([cert]) => files.has(cert));
      if (!layout) continue;
      const [certName, keyName] = layout;
      const certFile = join(path, certName);
      if (files.has(keyName)) scan.sources.push({ id: certFile, certFile, keyFile: join(path, keyName), kind });
      else scan.problems.push(new CertificateRefusedError(certFile, `has no key beside it (expected ${keyName})`));
    }
  }
}
