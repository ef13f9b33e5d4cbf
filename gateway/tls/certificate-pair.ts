// One certificate + key pair read from its two files and checked before it may be
// served: both parse as complete PEM (a half-written file does not), the key is
// the certificate's (X509Certificate#checkPrivateKey), the certificate is valid
// now, and OpenSSL accepts the pair as a secure context. Every refusal names the
// file at fault and says why, in words an operator can act on.
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import { pairContextOptions, type SharedContextOptions } from './context-options.ts';

/** Where a pair comes from: its two files and which source listed it. */
export interface PairSource {
  /** Stable identity across rescans: the certificate file's absolute path. */
  id: string;
  certFile: string;
  keyFile: string;
  /** default: TLS_CERT_FILE/TLS_KEY_FILE; dir: TLS_CERT_DIR; acme: DATA_DIR/acme/certs. */
  kind: 'default' | 'dir' | 'acme';
}

export interface CertificatePair {
  source: PairSource;
  /** DNS names the certificate is for (SAN dNSName entries, lower case; the CN when there is no SAN). */
  names: string[];
  subject: string;
  validFrom: Date;
  validTo: Date;
  /** SHA-256 fingerprint of the leaf certificate. */
  fingerprint: string;
  /** Hash of both files' bytes: a rescan with the same bytes keeps the pair as it is. */
  contentHash: string;
  context: SecureContext;
  /** The options the context was made from (for tls.Server#setSecureContext). */
  contextOptions: SecureContextOptions;
  /** Set when the pair was accepted although it is outside its validity (at start only). */
  validityProblem: string | null;
}

/** A pair that may not be served; `file` is the one at fault. */
export class CertificateRefusedError extends Error {
  readonly code = 'CERTIFICATE_REFUSED';
  readonly file: string;
  readonly reason: string;
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.file = file;
    this.reason = reason;
  }
}

export interface PairFiles {
  cert: Buffer;
  key: Buffer;
}

/** Reads both files; a missing or unreadable one is a refusal naming it. */
export async function readPairFiles(source: PairSource): Promise<PairFiles> {
  const read = async (file: string) => {
    try {
      return await readFile(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new CertificateRefusedError(file, code === 'ENOENT' ? 'file is missing' : `cannot be read (${code ?? (error as Error).message})`);
    }
  };
  // Both read at once, but a refusal always names the certificate first when both fail.
  const [cert, key] = await Promise.allSettled([read(source.certFile), read(source.keyFile)]);
  if (cert.status === 'rejected') throw cert.reason;
  if (key.status === 'rejected') throw key.reason;
  return { cert: cert.value, key: key.value };
}

export function hashPairFiles(files: PairFiles): string {
  return createHash('sha256').update(files.cert).update('\0').update(files.key).digest('hex');
}

export interface BuildPairOptions {
  shared: SharedContextOptions;
  now: Date;
  /** Accept a certificate outside its validity dates (recorded in validityProblem): the start's choice. */
  acceptOutsideValidity: boolean;
}

/** Checks the pair and makes its secure context; throws CertificateRefusedError. */
export function buildCertificatePair(source: PairSource, files: PairFiles, options: BuildPairOptions): CertificatePair {
  const certText = files.cert.toString('utf8');
  const keyText = files.key.toString('utf8');
  const leaf = parseCertificateChain(source.certFile, certText);
  const key = parsePrivateKey(source.keyFile, keyText);
  if (!leaf.checkPrivateKey(key)) {
    throw new CertificateRefusedError(source.keyFile, `is not the private key of ${source.certFile} (key and certificate do not match)`);
  }
  const validFrom = leaf.validFromDate;
  const validTo = leaf.validToDate;
  let validityProblem: string | null = null;
  if (options.now < validFrom) validityProblem = `is not valid yet (valid from ${validFrom.toISOString()})`;
  else if (options.now > validTo) validityProblem = `expired on ${validTo.toISOString()}`;
  if (validityProblem && !options.acceptOutsideValidity) throw new CertificateRefusedError(source.certFile, validityProblem);
  const contextOptions = pairContextOptions(options.shared, certText, keyText);
  let context: SecureContext;
  try {
    context = createSecureContext(contextOptions);
  } catch (error) {
    // OpenSSL's own objections, e.g. "ee key too small" for a 1024-bit RSA key.
    throw new CertificateRefusedError(source.certFile, `refused by OpenSSL (${(error as Error).message})`);
  }
  return {
    source,
    names: certificateNames(leaf),
    subject: leaf.subject.replaceAll('\n', ', '),
    validFrom,
    validTo,
    fingerprint: leaf.fingerprint256,
    contentHash: hashPairFiles(files),
    context,
    contextOptions,
    validityProblem,
  };
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** The leaf of a PEM chain (leaf first, as servers send it). Every block must be complete. */
function parseCertificateChain(file: string, text: string): X509Certificate {
  const begins = text.match(/-----BEGIN [A-Z0-9 ]+-----/g)?.length ?? 0;
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (begins === 0) throw new CertificateRefusedError(file, 'is not a PEM certificate (no BEGIN CERTIFICATE line)');
  // A copy interrupted after the leaf still parses; an unmatched BEGIN gives it away.
  if (blocks.length !== begins) throw new CertificateRefusedError(file, 'is incomplete (a PEM block has no END line: half-written?)');
  // `cat cert.pem chain.pem` where cert.pem has no final newline: OpenSSL says only "bad end line".
  if (/-----END [A-Z0-9 ]+----------BEGIN/.test(text)) throw new CertificateRefusedError(file, 'has two PEM blocks on one line (a newline is missing between concatenated files)');
  const certificates = blocks.filter((block) => block[1] === 'CERTIFICATE');
  if (certificates.length === 0) throw new CertificateRefusedError(file, `holds no certificate (found ${blocks.map((block) => block[1]).join(', ')})`);
  try {
    for (const block of certificates.slice(1)) new X509Certificate(block[0]);
    return new X509Certificate(certificates[0]![0]);
  } catch (error) {
    throw new CertificateRefusedError(file, `is not a valid PEM certificate (${(error as Error).message}; half-written?)`);
  }
}

function parsePrivateKey(file: string, text: string): KeyObject {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) throw new CertificateRefusedError(file, 'is not a PEM private key (no BEGIN PRIVATE KEY line)');
  if (/ENCRYPTED/.test(text)) throw new CertificateRefusedError(file, 'is an encrypted private key (the gateway takes no passphrase; store it unencrypted, readable by the gateway only)');
  try {
    return createPrivateKey(text);
  } catch (error) {
    throw new CertificateRefusedError(file, `is not a valid PEM private key (${(error as Error).message}; half-written?)`);
  }
}

/** SAN dNSName entries, else the subject's CN (clients no longer match on CN, but SNI selection may). */
export function certificateNames(certificate: X509Certificate): string[] {
  const san = certificate.subjectAltName ?? '';
  const dns = [...san.matchAll(/(?:^|, )DNS:([^,\s"]+)/g)].map((match) => match[1]!.toLowerCase());
  if (dns.length > 0) return [...new Set(dns)];
  const cn = /^CN=(.+)$/m.exec(certificate.subject)?.[1];
  return cn ? [cn.toLowerCase()] : [];
}
