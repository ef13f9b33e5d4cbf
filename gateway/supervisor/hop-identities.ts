// Per-hop identities for supervised children (docs/threat-model.md). Each child
// gets, in its environment:
// - GATEWAY_ASSERTION_JWKS: the gateway's PUBLIC assertion keys (current and
//   previous), enough to verify the gateway, never to sign as it;
// - SERVICE_ASSERTION_PRIVATE_KEY: a key pair made for this child alone, this run,
//   for its own calls to other upstreams (the cache's ownership look-ups, the
//   collectors' reads and writes);
// - SERVICE_ASSERTION_JWKS: every supervised child's public key, kid = its name,
//   so a callee can tell who calls and grant routes by name.
// A child's environment thus holds nothing that signs for the gateway or for
// another child.
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { PublicJwk } from '../auth/assertion-key.ts';

export interface HopIdentitiesOptions {
  /** The gateway's public JWKS (assertion-key.ts). */
  gatewayJwks: { keys: PublicJwk[] };
  /** Public keys of services the gateway does not run (JWKS text, kid = service name), added to what children trust. */
  externalServiceJwks?: string;
}

interface ServiceJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
}

export class HopIdentities {
  readonly #gatewayJwks: string;
  readonly #external: ServiceJwk[];
  readonly #keys = new Map<string, KeyObject>();

  constructor(options: HopIdentitiesOptions) {
    this.#gatewayJwks = JSON.stringify(options.gatewayJwks);
    this.#external = parseExternal(options.externalServiceJwks);
  }

  /** Makes a key pair for each name that has none yet (before any of them starts, so each knows the others). */
  prepare(names: Iterable<string>): void {
    for (const name of names) if (!this.#keys.has(name)) this.#keys.set(name, generateKeyPairSync('ed25519').privateKey);
  }

  /** The identity variables of child `name`. */
  envFor(name: string): Record<string, string> {
    this.prepare([name]);
    return {
      GATEWAY_ASSERTION_JWKS: this.#gatewayJwks,
      SERVICE_ASSERTION_PRIVATE_KEY: this.#keys.get(name)!.export({ format: 'pem', type: 'pkcs8' }) as string,
      SERVICE_ASSERTION_JWKS: JSON.stringify({ keys: this.serviceJwks() }),
    };
  }

  /** Public keys of every known service (supervised first, then external ones not shadowing them). */
  serviceJwks(): ServiceJwk[] {
    const own = [...this.#keys].map(([name, key]) => {
      const { x } = createPublicKey(key).export({ format: 'jwk' }) as { x: string };
      return { kty: 'OKP' as const, crv: 'Ed25519' as const, x, kid: name };
    });
    return [...own, ...this.#external.filter((jwk) => !this.#keys.has(jwk.kid))];
  }
}

function parseExternal(text: string | undefined): ServiceJwk[] {
  if (!text?.trim()) return [];
  const parsed = JSON.parse(text) as { keys?: unknown };
  if (!Array.isArray(parsed.keys)) throw new Error('SERVICE_ASSERTION_JWKS must be a JWKS: {"keys": [...]}');
  return parsed.keys.map((jwk: Record<string, unknown>) => {
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string' || typeof jwk.kid !== 'string' || 'd' in jwk) {
      throw new Error('SERVICE_ASSERTION_JWKS: every key must be an Ed25519 public JWK with kid = the service name');
    }
    return { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid: jwk.kid };
  });
}
