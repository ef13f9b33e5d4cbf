// The gateway's own token keys: the HS256 secret, or an asymmetric pair whose
// public half is published at /.well-known/jwks.json. Loaded once at start-up.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import { AuthSettingsError, type AuthSettings, type LocalAlgorithm } from './settings.ts';

export interface SigningKeys {
  algorithm: LocalAlgorithm;
  /** HS256: the secret bytes; otherwise the private key. */
  signingKey: Uint8Array | KeyObject;
  /** HS256: the same secret; otherwise the public key (never usable as an HMAC secret: jose refuses a KeyObject of type public for HS*). */
  verificationKey: Uint8Array | KeyObject;
  /** Key id put in issued tokens' header (asymmetric only). */
  kid: string | null;
  jwks: { keys: JWK[] };
}

const KEY_TYPES: Record<Exclude<LocalAlgorithm, 'HS256'>, { type: string; curve?: string }> = {
  EdDSA: { type: 'ed25519' },
  ES256: { type: 'ec', curve: 'prime256v1' },
  RS256: { type: 'rsa' },
};

export async function loadSigningKeys(settings: AuthSettings): Promise<SigningKeys> {
  if (settings.algorithm === 'HS256') {
    const secret = new TextEncoder().encode(settings.secretKey);
    return { algorithm: 'HS256', signingKey: secret, verificationKey: secret, kid: null, jwks: { keys: [] } };
  }
  const expected = KEY_TYPES[settings.algorithm];
  let privateKey: KeyObject;
  let publicKey: KeyObject;
  try {
    privateKey = createPrivateKey(settings.privateKeyPem ?? '');
    publicKey = settings.publicKeyPem ? createPublicKey(settings.publicKeyPem) : createPublicKey(privateKey);
  } catch (error) {
    throw new AuthSettingsError(`JWT key files cannot be parsed: ${(error as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== expected.type || publicKey.asymmetricKeyType !== expected.type) {
    throw new AuthSettingsError(`JWT_ALGORITHM=${settings.algorithm} needs ${expected.type} keys (got ${privateKey.asymmetricKeyType})`);
  }
  if (expected.curve && privateKey.asymmetricKeyDetails?.namedCurve !== expected.curve) {
    throw new AuthSettingsError(`JWT_ALGORITHM=${settings.algorithm} needs a P-256 key`);
  }
  const derived = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  if (!derived.equals(publicKey.export({ format: 'der', type: 'spki' }))) {
    throw new AuthSettingsError('JWT_PUBLIC_KEY_FILE is not the public half of JWT_PRIVATE_KEY_FILE');
  }
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return {
    algorithm: settings.algorithm,
    signingKey: privateKey,
    verificationKey: publicKey,
    kid,
    jwks: { keys: [{ ...jwk, kid, alg: settings.algorithm, use: 'sig' }] },
  };
}
