// The gateway assertion key as the gateway resolves it, and the text handed to
// children as GATEWAY_ASSERTION_SECRET. Mirrors upstreams/common/assertion.ts
// resolveAssertionSecret (the gateway may not import upstream code); a test pins
// that a child given childAssertionSecret(env) derives exactly assertionKey(env).
import { createHmac } from 'node:crypto';

const MIN_EXPLICIT_LENGTH = 32;
const DERIVATION_LABEL = 'fullon-gateway-assertion-v1';
const DEV_FALLBACK = 'dev-only-insecure-jwt-secret-change-me';

/**
 * The secret text children receive: GATEWAY_ASSERTION_SECRET when it is long
 * enough, otherwise a one-way derivation of JWT_SECRET_KEY (hex, 64 chars), so a
 * child never sees JWT_SECRET_KEY and cannot mint user tokens.
 */
export function childAssertionSecret(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.GATEWAY_ASSERTION_SECRET;
  if (explicit && explicit.length >= MIN_EXPLICIT_LENGTH) return explicit;
  const base = env.JWT_SECRET_KEY ?? DEV_FALLBACK;
  return createHmac('sha256', base).update(DERIVATION_LABEL).digest('hex');
}

/** The HS256 key bytes the gateway must sign assertions with so that its children accept them. */
export function assertionKey(env: NodeJS.ProcessEnv = process.env): Uint8Array {
  return new TextEncoder().encode(childAssertionSecret(env));
}
