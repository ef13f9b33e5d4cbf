// The gateway's assertion key pair (docs/threat-model.md). Ed25519: the gateway
// alone holds the private half; upstreams get the public JWKS (current key plus,
// during a rotation, the previous one). Where the private key comes from:
//   1. GATEWAY_ASSERTION_PRIVATE_KEY (PKCS8 PEM) or GATEWAY_ASSERTION_PRIVATE_KEY_FILE;
//   2. DATA_DIR/keys/gateway-assertion.key (owner-only), made on first use, when
//      external upstreams (url without process) must keep trusting it across restarts;
//   3. otherwise a fresh key for this run (supervised children restart with it).
// The public JWKS is always written to DATA_DIR/keys/gateway-assertion.jwks.json
// for external upstreams on the same host (GATEWAY_ASSERTION_JWKS_FILE).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const KEY_DIR = 'keys';
export const PRIVATE_KEY_FILE = 'gateway-assertion.key';
export const PREVIOUS_PUBLIC_KEY_FILE = 'gateway-assertion.previous.pub';
export const PUBLIC_JWKS_FILE = 'gateway-assertion.jwks.json';

export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}

export interface GatewayAssertionKey {
  privateKey: KeyObject;
  kid: string;
  /** Current key first, then the previous one while a rotation is under way. */
  jwks: { keys: PublicJwk[] };
  source: 'env' | 'data_dir' | 'run';
}

export class AssertionKeyConfigError extends Error {}

/** RFC 7638 thumbprint of an Ed25519 public key: its kid. */
export function publicJwkOf(key: KeyObject): PublicJwk {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new AssertionKeyConfigError('the gateway assertion key must be Ed25519 (openssl genpkey -algorithm ed25519)');
  const { x } = publicKey.export({ format: 'jwk' }) as { x: string };
  const kid = createHash('sha256').update(JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x })).digest('base64url');
  return { kty: 'OKP', crv: 'Ed25519', x, kid, alg: 'EdDSA', use: 'sig' };
}

/** A fresh Ed25519 key pair. */
export function generateAssertionKey(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}

export interface LoadAssertionKeyOptions {
  env?: NodeJS.ProcessEnv;
  dataDir: string;
  /** Keep the key in DATA_DIR across restarts (external upstreams are configured). */
  persist: boolean;
}

export function loadGatewayAssertionKey(options: LoadAssertionKeyOptions): GatewayAssertionKey {
  const env = options.env ?? process.env;
  const dir = join(options.dataDir, KEY_DIR);
  let privateKey: KeyObject;
  let source: GatewayAssertionKey['source'];
  const fromEnv = pemFrom('GATEWAY_ASSERTION_PRIVATE_KEY_FILE', env.GATEWAY_ASSERTION_PRIVATE_KEY, env.GATEWAY_ASSERTION_PRIVATE_KEY_FILE);
  if (fromEnv) {
    privateKey = parsePrivate(fromEnv, 'GATEWAY_ASSERTION_PRIVATE_KEY');
    source = 'env';
  } else if (options.persist) {
    const file = join(dir, PRIVATE_KEY_FILE);
    if (existsSync(file)) {
      privateKey = parsePrivate(readFileSync(file, 'utf8'), file);
    } else {
      privateKey = generateAssertionKey();
      writeOwnerOnly(dir, PRIVATE_KEY_FILE, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    }
    source = 'data_dir';
  } else {
    privateKey = generateAssertionKey();
    source = 'run';
  }
  const current = publicJwkOf(privateKey);
  const keys = [current];
  const previousPem = pemFrom('GATEWAY_ASSERTION_PREVIOUS_PUBLIC_KEY_FILE', env.GATEWAY_ASSERTION_PREVIOUS_PUBLIC_KEY, env.GATEWAY_ASSERTION_PREVIOUS_PUBLIC_KEY_FILE) ?? (source === 'data_dir' ? readIfExists(join(dir, PREVIOUS_PUBLIC_KEY_FILE)) : null);
  if (previousPem) {
    const previous = publicJwkOf(parsePublic(previousPem, 'GATEWAY_ASSERTION_PREVIOUS_PUBLIC_KEY'));
    if (previous.kid !== current.kid) keys.push(previous);
  }
  const key: GatewayAssertionKey = { privateKey, kid: current.kid, jwks: { keys }, source };
  writePublicJwks(options.dataDir, key.jwks);
  return key;
}

/**
 * Rotation of a persisted key (npm run rotate-assertion-key): the current public
 * key becomes the previous one, a new private key replaces it, and the JWKS file
 * lists both. Upstreams reading the JWKS file accept the new key at once (they
 * re-read it on an unknown kid) and keep accepting the old one; the gateway signs
 * with the new key from its next start. Run it again later to drop the old key.
 */
export function rotateGatewayAssertionKey(dataDir: string): { kid: string; previousKid: string | null } {
  const dir = join(dataDir, KEY_DIR);
  const currentPem = readIfExists(join(dir, PRIVATE_KEY_FILE));
  let previousKid: string | null = null;
  if (currentPem) {
    const current = parsePrivate(currentPem, join(dir, PRIVATE_KEY_FILE));
    writeOwnerOnly(dir, PREVIOUS_PUBLIC_KEY_FILE, createPublicKey(current).export({ format: 'pem', type: 'spki' }) as string);
    previousKid = publicJwkOf(current).kid;
  }
  const next = generateAssertionKey();
  writeOwnerOnly(dir, PRIVATE_KEY_FILE, next.export({ format: 'pem', type: 'pkcs8' }) as string);
  const keys = [publicJwkOf(next)];
  const previousPem = readIfExists(join(dir, PREVIOUS_PUBLIC_KEY_FILE));
  if (previousPem) keys.push(publicJwkOf(parsePublic(previousPem, PREVIOUS_PUBLIC_KEY_FILE)));
  writePublicJwks(dataDir, { keys });
  return { kid: keys[0]!.kid, previousKid };
}

/** DATA_DIR/keys/gateway-assertion.jwks.json: public keys only, replaced atomically. */
export function writePublicJwks(dataDir: string, jwks: { keys: PublicJwk[] }): string {
  return writeOwnerOnly(join(dataDir, KEY_DIR), PUBLIC_JWKS_FILE, `${JSON.stringify(jwks, null, 2)}\n`);
}

function writeOwnerOnly(dir: string, name: string, text: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = join(dir, name);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, file);
  return file;
}

/** The PEM given by value, else read from the file named by `fileName`. */
function pemFrom(fileName: string, value: string | undefined, file: string | undefined): string | null {
  if (value?.trim()) return value;
  if (!file) return null;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new AssertionKeyConfigError(`${fileName}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function readIfExists(file: string): string | null {
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}

function parsePrivate(pem: string, origin: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new AssertionKeyConfigError(`${origin} is not a PEM private key`);
  }
  publicJwkOf(key); // Ed25519 only
  return key;
}

function parsePublic(pem: string, origin: string): KeyObject {
  try {
    return createPublicKey(pem);
  } catch {
    throw new AssertionKeyConfigError(`${origin} is not a PEM public key`);
  }
}
