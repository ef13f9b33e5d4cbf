// Which pair answers a TLS ClientHello's server name: an exact SAN first, then a
// wildcard SAN covering exactly one leftmost label (`*.example.com` matches
// `api.example.com`, not `example.com` nor `a.b.example.com`, RFC 6125 §6.4.3).
// Among pairs for the same name the one valid longest wins, so a renewed
// certificate dropped beside the old one takes over at once.
import type { CertificatePair } from './certificate-pair.ts';

export interface SniIndex {
  /** The pair for this server name, or null (the caller serves the default). */
  lookup(servername: string): CertificatePair | null;
  /** Every name the index answers for (exact and `*.` wildcard), sorted. */
  names(): string[];
}

export function buildSniIndex(pairs: Iterable<CertificatePair>): SniIndex {
  const exact = new Map<string, CertificatePair>();
  const wildcard = new Map<string, CertificatePair>();
  const keep = (map: Map<string, CertificatePair>, name: string, pair: CertificatePair) => {
    const current = map.get(name);
    if (!current || pair.validTo > current.validTo) map.set(name, pair);
  };
  for (const pair of pairs) {
    for (const name of pair.names) {
      const rest = name.startsWith('*.') ? name.slice(2) : name;
      // Other wildcard forms (`a*.example.com`, `*.*.example.com`) are not matched by browsers either.
      if (rest.includes('*')) continue;
      keep(rest === name ? exact : wildcard, rest, pair);
    }
  }
  return {
    lookup(servername) {
      const name = servername.toLowerCase().replace(/\.$/, '');
      const hit = exact.get(name);
      if (hit) return hit;
      const dot = name.indexOf('.');
      return dot > 0 ? (wildcard.get(name.slice(dot + 1)) ?? null) : null;
    },
    names() {
      return [...exact.keys(), ...[...wildcard.keys()].map((name) => `*.${name}`)].sort();
    },
  };
}
