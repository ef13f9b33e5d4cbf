// A supervised service's own identity for calling another upstream (the cache
// asking the orm for ownership, a collector reading its follow list or writing
// tickers): an Ed25519 key pair the supervisor made for this service alone
// (SERVICE_ASSERTION_PRIVATE_KEY, PKCS8 PEM; or _FILE for an external one). The
// callee knows the public half by the service's name and grants it a few routes
// (service-grants.ts); it cannot pass for the gateway or for any user.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { ASSERTION_ALGORITHM, SERVICE_ASSERTION_ISSUER } from './assertion.ts';
import { AssertionKeyError } from './assertion-keys.ts';

const LIFETIME_S = 30;
const REUSE_MS = 15_000;

export class ServiceAssertionSigner {
  readonly name: string;
  readonly #key: KeyObject;
  readonly #tokens = new Map<string, { token: string; at: number }>();

  constructor(name: string, key: KeyObject) {
    if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') throw new AssertionKeyError('a service key must be an Ed25519 private key');
    this.name = name;
    this.#key = key;
  }

  /** An assertion naming this service, for the upstream `audience`; reused for half its life. */
  async sign(audience: string): Promise<string> {
    const cached = this.#tokens.get(audience);
    if (cached && Date.now() - cached.at < REUSE_MS) return cached.token;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: ASSERTION_ALGORITHM, kid: this.name, typ: 'JWT' })
      .setSubject(this.name)
      .setIssuer(SERVICE_ASSERTION_ISSUER)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(`${LIFETIME_S}s`)
      .sign(this.#key);
    this.#tokens.set(audience, { token, at: Date.now() });
    return token;
  }
}

/** This service's signer from SERVICE_NAME and SERVICE_ASSERTION_PRIVATE_KEY(_FILE); null when it has none (its calls then go unauthenticated and are refused). */
export function loadServiceSigner(env: NodeJS.ProcessEnv = process.env): ServiceAssertionSigner | null {
  const pem = env.SERVICE_ASSERTION_PRIVATE_KEY || (env.SERVICE_ASSERTION_PRIVATE_KEY_FILE ? readFileSync(env.SERVICE_ASSERTION_PRIVATE_KEY_FILE, 'utf8') : '');
  const name = env.SERVICE_NAME;
  if (!pem || !name) return null;
  try {
    return new ServiceAssertionSigner(name, createPrivateKey(pem));
  } catch (error) {
    if (error instanceof AssertionKeyError) throw error;
    throw new AssertionKeyError('SERVICE_ASSERTION_PRIVATE_KEY is not a PEM private key');
  }
}
