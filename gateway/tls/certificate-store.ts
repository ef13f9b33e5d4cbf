// The gateway's certificates, from files only (docs/https.md): the default pair
// (TLS_CERT_FILE/TLS_KEY_FILE), the pairs in TLS_CERT_DIR and in the ACME
// directory, each checked before use (certificate-pair.ts) and chosen per
// connection by SNI (sni-index.ts). Every process builds its own store from the
// same files, so each worker serves the same certificates with no shared state.
//
// Hot reload: the directories are watched (directory-watcher.ts); a change is a
// rescan that builds a new secure context for each pair whose bytes changed. A
// refused file (half-written, key not matching, expired, not yet valid) is one
// log line and a 'rejected' event, and the pair it would replace stays. New
// handshakes get the new context; open connections keep the one they began with.
import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, sep } from 'node:path';
import type { SecureContext, Server as TlsServer, TlsOptions } from 'node:tls';
import type { Logger } from 'pino';
import { buildCertificatePair, CertificateRefusedError, hashPairFiles, readPairFiles, type CertificatePair, type PairFiles, type PairSource } from './certificate-pair.ts';
import { sharedContextOptions, type SharedContextOptions } from './context-options.ts';
import { DirectoryWatcher } from './directory-watcher.ts';
import { scanPairSources, type SourceScan, type WatchTarget } from './pair-sources.ts';
import { buildSniIndex, type SniIndex } from './sni-index.ts';
import type { TlsSettings } from './settings.ts';
import { readOrCreateTicketKeys, TICKET_KEY_MAX_AGE_MS } from './ticket-keys.ts';

/** A certificate expiring sooner than this gets a warning when it is loaded. */
export const EXPIRY_WARNING_DAYS = 14;
/** Every source is looked at this often even without a file event (and the ticket keys rotated when due). */
export const RESCAN_INTERVAL_MS = TICKET_KEY_MAX_AGE_MS / 12;

export interface CertificateStoreOptions {
  settings: TlsSettings;
  logger: Logger;
  /** Clock for the validity checks (tests). */
  now?: () => Date;
  /** Fixed session ticket keys (48 bytes) instead of the shared file settings.ticketKeyFile (tests). */
  ticketKeys?: Buffer;
}

/** Certificate files (their certificate file paths) whose pairs changed in one rescan. */
export interface CertificateChange {
  added: string[];
  updated: string[];
  removed: string[];
}

export interface CertificateRejection {
  /** The file at fault. */
  file: string;
  reason: string;
  /** True when an earlier good version of this pair is still served. */
  keptPrevious: boolean;
}

export interface CertificateSummary {
  certFile: string;
  keyFile: string;
  kind: PairSource['kind'];
  names: string[];
  subject: string;
  validFrom: string;
  validTo: string;
  fingerprint: string;
  isDefault: boolean;
}

interface StoreEvents {
  change: [CertificateChange];
  rejected: [CertificateRejection];
  /** New session ticket keys taken from the shared file (rotated here or by another worker). */
  ticketKeys: [{ file: string }];
}

/** The store could not start: one line naming the file and the reason. */
export class CertificateStoreError extends Error {
  readonly code = 'TLS_CERTIFICATES_INVALID';
}

/** Reads, checks and starts watching every certificate source; throws CertificateStoreError. */
export async function createCertificateStore(options: CertificateStoreOptions): Promise<CertificateStore> {
  const store = new CertificateStore(options);
  await store.load();
  return store;
}

/**
 * The start check of a process that serves nothing itself (the cluster primary):
 * every source read and checked as a worker's store will, then let go. Throws
 * CertificateStoreError. Creates the shared ticket key file before any worker
 * starts, so the workers never race to create it.
 */
export async function checkCertificates(options: CertificateStoreOptions): Promise<CertificateSummary[]> {
  const store = await createCertificateStore(options);
  const summary = store.certificates();
  store.close();
  return summary;
}

export class CertificateStore extends EventEmitter<StoreEvents> {
  #settings: TlsSettings;
  #logger: Logger;
  #now: () => Date;
  #shared: SharedContextOptions;
  #pairs = new Map<string, CertificatePair>();
  /** Per source id, what was last refused (content hash or message): each refusal is logged once. */
  #refused = new Map<string, string>();
  #index: SniIndex = buildSniIndex([]);
  #default: CertificatePair | null = null;
  #servers = new Set<TlsServer>();
  #watcher: DirectoryWatcher;
  /** Whether the ticket keys come from settings.ticketKeyFile (false: fixed, or the file could not be used). */
  #ticketKeysFromFile: boolean;
  #rescanTimer: NodeJS.Timeout | null = null;
  /** Rescans run one after another, never two at once. */
  #chain: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: CertificateStoreOptions) {
    super();
    this.#settings = options.settings;
    this.#logger = options.logger;
    this.#now = options.now ?? (() => new Date());
    this.#shared = sharedContextOptions(options.settings.minVersion, options.ticketKeys);
    this.#ticketKeysFromFile = options.ticketKeys === undefined;
    this.#watcher = new DirectoryWatcher({
      debounceMs: options.settings.reloadDebounceMs,
      onChange: () => void this.rescan('file changed'),
      onError: (dir, error) => this.#logger.warn({ dir, err: error.message }, 'certificate directory watch stopped; rescanning'),
    });
  }

  /** The default pair's context (no SNI, or no SAN matched); null while there is none (ACME before its first issuance). */
  defaultContext(): SecureContext | null {
    return this.#default?.context ?? null;
  }

  /** tls.Server's SNICallback: the pair whose SAN matches, else the default pair. */
  readonly sniCallback = (servername: string, callback: (error: Error | null, context?: SecureContext) => void): void => {
    const pair = this.#index.lookup(servername) ?? this.#default;
    if (pair) callback(null, pair.context);
    else callback(new Error(`no certificate for "${servername}" yet`));
  };

  /**
   * Options for tls.createServer / https.createServer / http2.createSecureServer:
   * the default pair, SNI, TLS floor, ciphers and session resumption. Pass the
   * server to attach() too, so a reloaded default pair reaches clients without SNI.
   */
  serverOptions(): TlsOptions {
    const pair = this.#default;
    return {
      ...this.#shared,
      ...(pair ? { cert: pair.contextOptions.cert, key: pair.contextOptions.key } : {}),
      SNICallback: this.sniCallback,
    };
  }

  /**
   * Keeps the server's own context (the one used when a client sends no SNI)
   * on the current default pair. Returns the function that stops it.
   */
  attach(server: TlsServer): () => void {
    this.#servers.add(server);
    return () => void this.#servers.delete(server);
  }

  /** What is being served, for logs and the admin side (no key material). */
  certificates(): CertificateSummary[] {
    return [...this.#pairs.values()].map((pair) => ({
      certFile: pair.source.certFile,
      keyFile: pair.source.keyFile,
      kind: pair.source.kind,
      names: pair.names,
      subject: pair.subject,
      validFrom: pair.validFrom.toISOString(),
      validTo: pair.validTo.toISOString(),
      fingerprint: pair.fingerprint,
      isDefault: pair === this.#default,
    }));
  }

  /** Looks at every source again now (the watcher calls this; so may SIGHUP). */
  rescan(reason: string): Promise<void> {
    const next = this.#chain.then(() => this.#rescan(reason));
    this.#chain = next.catch(() => {});
    return next;
  }

  close(): void {
    this.#closed = true;
    if (this.#rescanTimer) clearInterval(this.#rescanTimer);
    this.#watcher.close();
    this.#servers.clear();
  }

  /** The start: every configured pair must be good, except the ACME ones (the ACME client repairs those). */
  async load(): Promise<void> {
    const acmeDir = this.#settings.acmeCertDir;
    if (acmeDir) {
      // The ACME client may not have written anything yet; the directory must exist to be watched.
      await mkdir(acmeDir, { recursive: true, mode: 0o700 }).catch((error: Error) => {
        throw new CertificateStoreError(`${acmeDir}: cannot create the ACME certificate directory (${error.message})`);
      });
    }
    await this.#refreshTicketKeys('start');
    const scan = await scanPairSources(this.#settings);
    for (const problem of scan.problems) this.#failStart(problem.message, problem.file, problem, isAcme(problem.file, acmeDir));
    for (const source of scan.sources) {
      let files: PairFiles | null = null;
      try {
        files = await readPairFiles(source);
        const pair = buildCertificatePair(source, files, { shared: this.#shared, now: this.#now(), acceptOutsideValidity: true });
        this.#pairs.set(source.id, pair);
        this.#warnAboutValidity(pair);
      } catch (error) {
        if (!(error instanceof CertificateRefusedError)) throw error;
        // Remembered as a rescan would (by content), so the next rescan does not log it again.
        this.#failStart(files ? hashPairFiles(files) : error.message, source.id, error, source.kind === 'acme');
      }
    }
    this.#commit();
    if (this.#pairs.size === 0 && !acmeDir) {
      throw new CertificateStoreError(`${this.#settings.certDir}: TLS_CERT_DIR holds no certificate pair (<name>.crt + <name>.key, or <name>/cert.pem + <name>/key.pem)`);
    }
    if (this.#pairs.size === 0) this.#logger.warn({ dir: acmeDir }, 'no certificate yet: TLS handshakes fail until the ACME client has written one');
    else this.#logger.info({ certificates: this.#pairs.size, names: this.#index.names(), default: this.#default?.source.certFile }, 'certificates loaded');
    this.#watcher.sync(this.#watchTargets(scan));
    // Another worker may have replaced the file between the first read and the
    // watch: look once more now that a later replacement cannot be missed.
    await this.#refreshTicketKeys('start');
    // Ticket key rotation is due at a time, not at a file event; and where change
    // events are not delivered (some network filesystems) the certificates are
    // still looked at once an hour. unref: never keeps a stopping process up.
    this.#rescanTimer = setInterval(() => void this.rescan('hourly check'), RESCAN_INTERVAL_MS);
    this.#rescanTimer.unref();
  }

  #failStart(key: string, id: string, error: CertificateRefusedError, tolerated: boolean): void {
    if (!tolerated) throw new CertificateStoreError(`certificate refused: ${error.message}`);
    this.#refused.set(id, key);
    this.#logger.error({ file: error.file, reason: error.reason }, `certificate refused: ${error.message}; not served until the ACME client replaces it`);
  }

  #warnAboutValidity(pair: CertificatePair): void {
    const file = pair.source.certFile;
    if (pair.validityProblem) {
      // Served anyway at start (docs/https.md): refusing to start would also stop
      // the ACME client that could renew it, and the plain-HTTP port it answers on.
      this.#logger.warn({ file, valid_from: pair.validFrom.toISOString(), valid_to: pair.validTo.toISOString() }, `certificate ${file} ${pair.validityProblem}: serving it anyway until it is replaced; clients will refuse it`);
      return;
    }
    const daysLeft = (pair.validTo.getTime() - this.#now().getTime()) / 86_400_000;
    if (daysLeft < EXPIRY_WARNING_DAYS) this.#logger.warn({ file, valid_to: pair.validTo.toISOString() }, `certificate ${file} expires in ${Math.floor(daysLeft)} days`);
  }

  async #rescan(reason: string): Promise<void> {
    if (this.#closed) return;
    let scan: SourceScan;
    try {
      scan = await scanPairSources(this.#settings);
    } catch (error) {
      this.#logger.error({ err: error, reason }, 'certificate rescan failed; keeping the current certificates');
      return;
    }
    await this.#refreshTicketKeys(reason);
    if (this.#closed) return;
    const change: CertificateChange = { added: [], updated: [], removed: [] };
    // Ids that are still there in some form (broken or not): their pairs stay.
    const present = new Set<string>();
    for (const problem of scan.problems) {
      present.add(problem.file);
      this.#refuse(problem.file, problem.message, problem);
    }
    for (const source of scan.sources) {
      present.add(source.id);
      await this.#reloadPair(source, change);
    }
    const missingDirs = scan.problems.map((problem) => problem.file + sep);
    for (const [id, pair] of this.#pairs) {
      // A pair whose whole directory is missing for a moment (being replaced) stays.
      if (present.has(id) || missingDirs.some((dir) => id.startsWith(dir))) continue;
      this.#pairs.delete(id);
      this.#refused.delete(id);
      change.removed.push(id);
      this.#logger.info({ file: id, names: pair.names }, 'certificate removed (its files are gone)');
    }
    if (this.#closed) return;
    this.#watcher.sync(this.#watchTargets(scan));
    if (change.added.length + change.updated.length + change.removed.length === 0) return;
    this.#commit();
    this.emit('change', change);
  }

  async #reloadPair(source: PairSource, change: CertificateChange): Promise<void> {
    let files;
    try {
      files = await readPairFiles(source);
    } catch (error) {
      if (!(error instanceof CertificateRefusedError)) throw error;
      return this.#refuse(source.id, error.message, error);
    }
    const hash = hashPairFiles(files);
    const previous = this.#pairs.get(source.id);
    if (previous?.contentHash === hash) {
      this.#refused.delete(source.id);
      return;
    }
    if (this.#refused.get(source.id) === hash) return;
    try {
      const pair = buildCertificatePair(source, files, { shared: this.#shared, now: this.#now(), acceptOutsideValidity: false });
      this.#pairs.set(source.id, pair);
      this.#refused.delete(source.id);
      (previous ? change.updated : change.added).push(source.id);
      this.#logger.info({ file: source.certFile, names: pair.names, valid_to: pair.validTo.toISOString(), fingerprint: pair.fingerprint }, previous ? 'certificate reloaded' : 'certificate added');
      this.#warnAboutValidity(pair);
    } catch (error) {
      if (!(error instanceof CertificateRefusedError)) throw error;
      this.#refuse(source.id, hash, error);
    }
  }

  /** One log line and one event per distinct refusal of a source. */
  #refuse(id: string, key: string, error: CertificateRefusedError): void {
    if (this.#refused.get(id) === key) return;
    this.#refused.set(id, key);
    const keptPrevious = this.#pairs.has(id);
    const outcome = keptPrevious ? 'keeping the previous certificate' : 'not served';
    this.#logger.error({ file: error.file, reason: error.reason }, `certificate refused: ${error.message}; ${outcome}`);
    this.emit('rejected', { file: error.file, reason: error.reason, keptPrevious });
  }

  /** Rebuilds the SNI index and the default pair from #pairs, and hands a new default to attached servers. */
  #commit(): void {
    const before = this.#default;
    this.#index = buildSniIndex(this.#pairs.values());
    this.#default = pickDefault(this.#pairs);
    if (this.#default && this.#default !== before) {
      for (const server of this.#servers) server.setSecureContext({ ...this.#default.contextOptions, ticketKeys: this.#shared.ticketKeys });
    }
  }

  /** The pairs' directories, plus the ticket key file's when the keys come from it. */
  #watchTargets(scan: SourceScan): WatchTarget[] {
    if (!this.#ticketKeysFromFile) return scan.watch;
    const file = this.#settings.ticketKeyFile;
    const shared = scan.watch.find((target) => target.dir === dirname(file));
    if (!shared) return [...scan.watch, { dir: dirname(file), names: new Set([basename(file)]) }];
    return scan.watch.map((target) => (target === shared && target.names ? { dir: target.dir, names: new Set([...target.names, basename(file)]) } : target));
  }

  /**
   * Takes the ticket keys from the shared file (writing it when missing, damaged
   * or due), and hands changed keys to the attached servers: OpenSSL encrypts and
   * decrypts tickets with the server's own context, whatever SNI picked.
   */
  async #refreshTicketKeys(reason: string): Promise<void> {
    if (!this.#ticketKeysFromFile) return;
    const file = this.#settings.ticketKeyFile;
    try {
      const { keys, wrote } = await readOrCreateTicketKeys(file, this.#now());
      if (wrote) this.#logger.info({ file, reason }, `session ticket keys ${wrote}`);
      if (keys.equals(this.#shared.ticketKeys)) return;
      this.#shared = { ...this.#shared, ticketKeys: keys };
      for (const server of this.#servers) server.setTicketKeys(keys);
      this.emit('ticketKeys', { file });
    } catch (error) {
      // Resumption still works within this process, with its own random keys.
      this.#ticketKeysFromFile = false;
      this.#logger.warn({ file, err: (error as Error).message }, 'session ticket keys not shared with other workers: cannot use the file; this process keeps its own');
    }
  }
}

/** The TLS_CERT_FILE pair; without one, the first pair by file name (as nginx's first server block). */
function pickDefault(pairs: Map<string, CertificatePair>): CertificatePair | null {
  const all = [...pairs.values()];
  return all.find((pair) => pair.source.kind === 'default') ?? all.sort((a, b) => a.source.id.localeCompare(b.source.id))[0] ?? null;
}

function isAcme(file: string, acmeDir: string | null): boolean {
  return acmeDir !== null && (file === acmeDir || file.startsWith(acmeDir + sep));
}
