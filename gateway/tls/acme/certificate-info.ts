// What the manager needs to know about a stored pair before deciding to keep it:
// does it parse, does the key match, does it name the domain, when does it expire.
// Node's own X509Certificate does the parsing (no second X.509 parser).
import { createPrivateKey, X509Certificate } from 'node:crypto';

export interface CertificateInfo {
  notAfter: number;
  notBefore: number;
  serial: string;
}

/** The pair's validity, or a reason it cannot be used (then the manager orders a new one). */
export function inspectCertificatePair(domain: string, pair: { keyPem: string; certPem: string }): CertificateInfo | { unusable: string } {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pair.certPem);
  } catch {
    return { unusable: 'cert.pem is not a PEM certificate' };
  }
  try {
    if (!cert.checkPrivateKey(createPrivateKey(pair.keyPem))) return { unusable: 'key.pem does not match cert.pem' };
  } catch {
    return { unusable: 'key.pem is not a PEM private key' };
  }
  if (!cert.checkHost(domain, { wildcards: false })) return { unusable: `the certificate does not name ${domain}` };
  return { notAfter: Date.parse(cert.validTo), notBefore: Date.parse(cert.validFrom), serial: cert.serialNumber };
}
