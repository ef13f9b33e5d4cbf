// The public keys an upstream checks assertions with (docs/threat-model.md).
// Two sets, never mixed:
// - the gateway's (GATEWAY_ASSERTION_JWKS, or GATEWAY_ASSERTION_JWKS_FILE): the
//   current key and, during a rotation, the previous one, told apart by `kid`;
// - other services' (SERVICE_ASSERTION_JWKS / _FILE): one Ed25519 key per calling
//   service, `kid` = the service's name, so a verified signature names its caller.
// Only public keys: nothing here can sign. A file source is read again when a
// token names a kid it does not hold and the file changed since (one stat per
// such token), so an external upstream picks up a rotated gateway key without a
// restart.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

export class AssertionKeyError extends Error {}

/** A set of Ed25519 public keys by kid. */
export class PublicKeySet {
  #keys = new Map<string, KeyObject>();
  readonly #file: string | null;
  #version = '';

  constructor(source: { jwks?: string; file?: string }) {
    this.#file = source.file || null;
    if (source.jwks) this.#keys = parseJwks(source.jwks, 'JWKS');
    else if (this.#file) this.#readFile(true);
  }

  get size(): number {
    return this.#keys.size;
  }

  kids(): string[] {
    return [...this.#keys.keys()];
  }

  /** The key for kid; a file source is re-read once on a miss (rotation). */
  get(kid: string): KeyObject | undefined {
    const key = this.#keys.get(kid);
    if (key || !this.#file) return key;
    if (this.#fileVersion() === this.#version) return undefined;
    this.#readFile(false);
    return this.#keys.get(kid);
  }

  #fileVersion(): string {
    try {
      const stat = statSync(this.#file!);
      return `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    } catch {
      return '';
    }
  }

  #readFile(strict: boolean): void {
    this.#version = this.#fileVersion();
    try {
      this.#keys = parseJwks(readFileSync(this.#file!, 'utf8'), this.#file!);
    } catch (error) {
      // At start a bad file is a configuration error; later the old keys stay.
      if (strict) throw error instanceof AssertionKeyError ? error : new AssertionKeyError(`cannot read ${this.#file}: ${(error as Error).message}`);
    }
  }
}

/** {"keys":[{kty:"OKP",crv:"Ed25519",x,kid}...]} → kid → public KeyObject. Private members are refused. */
export function parseJwks(text: string, origin: string): Map<string, KeyObject> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AssertionKeyError(`${origin} is not JSON`);
  }
  const keys = (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys)) throw new AssertionKeyError(`${origin} must be a JWKS: {"keys": [...]}`);
  const result = new Map<string, KeyObject>();
  for (const jwk of keys as Array<Record<string, unknown>>) {
    if (!jwk || typeof jwk !== 'object' || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string' || typeof jwk.kid !== 'string' || !jwk.kid) {
      throw new AssertionKeyError(`${origin}: every key must be an Ed25519 public JWK with a kid`);
    }
    // A JWKS that carries a private half was handed to the wrong place: refuse it loudly.
    if ('d' in jwk) throw new AssertionKeyError(`${origin}: key ${jwk.kid} holds a private key; upstreams get public keys only`);
    result.set(jwk.kid, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' }));
  }
  return result;
}

export interface AssertionKeys {
  gateway: PublicKeySet;
  services: PublicKeySet;
}

/** Both key sets from the environment (what the supervisor passes, or what an operator sets for an external upstream). */
export function loadAssertionKeys(env: NodeJS.ProcessEnv = process.env): AssertionKeys {
  const gateway = new PublicKeySet({ jwks: env.GATEWAY_ASSERTION_JWKS, file: env.GATEWAY_ASSERTION_JWKS_FILE });
  if (gateway.size === 0 && env.NODE_ENV === 'production') {
    throw new AssertionKeyError('GATEWAY_ASSERTION_JWKS or GATEWAY_ASSERTION_JWKS_FILE must name the gateway\'s public key when NODE_ENV=production');
  }
  return { gateway, services: new PublicKeySet({ jwks: env.SERVICE_ASSERTION_JWKS, file: env.SERVICE_ASSERTION_JWKS_FILE }) };
}
