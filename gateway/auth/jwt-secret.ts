// The HS256 user-token secret, resolved in this one module (issue 14 item 0): read
// from JWT_SECRET_KEY, checked, and, in development without one, made up at random
// for this run, never a constant from the public source (that would let anyone
// forge user tokens). Production refuses to start without a good one. Upstream
// assertions have their own Ed25519 key (assertion-key.ts).
import { randomBytes } from 'node:crypto';

/** Secrets that ship in docs or as old dev fallbacks; production refuses them. */
export const EXAMPLE_SECRETS: readonly string[] = [
  'dev-only-insecure-jwt-secret-change-me',
  'change-me',
  'changeme',
  'change-me-to-a-long-random-secret',
  'your-secret-key',
  'secret',
];
export const MIN_SECRET_LENGTH = 32;

export const RUN_SECRET_WARNING =
  'JWT_SECRET_KEY is not set: using a random secret for this run, so tokens stop working when the gateway restarts (set JWT_SECRET_KEY to keep them)';

export class JwtSecretError extends Error {}

export interface JwtSecret {
  value: string;
  /** `env`: JWT_SECRET_KEY; `run`: random, for this process only. */
  source: 'env' | 'run';
}

/**
 * The secret to sign and verify HS256 user tokens with. Throws JwtSecretError in
 * production for a missing, example or short secret; outside production warns
 * about an example or short one, and replaces a missing one by a random one.
 * `check: false` (the gateway signs with a key pair, the secret only verifies
 * fullon-format tokens): no checks and no warnings, a missing one still random.
 */
export function resolveJwtSecret(env: NodeJS.ProcessEnv, warn: (message: string) => void, options: { check?: boolean } = {}): JwtSecret {
  const configured = env.JWT_SECRET_KEY ?? '';
  if (options.check === false) return configured === '' ? { value: randomSecret(), source: 'run' } : { value: configured, source: 'env' };
  const production = env.NODE_ENV === 'production';
  const problem = secretProblem(configured);
  if (problem !== null && production) throw new JwtSecretError(`${problem}; refusing to start with NODE_ENV=production`);
  if (configured === '') {
    warn(RUN_SECRET_WARNING);
    return { value: randomSecret(), source: 'run' };
  }
  if (problem !== null) warn(`${problem}: tokens can be forged by anyone who knows it (set a long random secret; production refuses this)`);
  return { value: configured, source: 'env' };
}

function secretProblem(secret: string): string | null {
  if (secret === '') return 'JWT_SECRET_KEY is not set';
  if (EXAMPLE_SECRETS.includes(secret)) return 'JWT_SECRET_KEY is the example secret';
  if (secret.length < MIN_SECRET_LENGTH) return `JWT_SECRET_KEY is shorter than ${MIN_SECRET_LENGTH} characters`;
  return null;
}

function randomSecret(): string {
  return randomBytes(32).toString('hex');
}
