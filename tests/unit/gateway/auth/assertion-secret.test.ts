// Pins that the gateway's assertion key derivation (gateway/auth) and the
// upstreams' (upstreams/common/assertion.ts) — and the secret text the
// supervisor hands children — always produce the same key.
import { describe, expect, it } from 'vitest';
import { resolveGatewayAssertionSecret } from '../../../../gateway/auth/assertion-signer.ts';
import { childAssertionSecret } from '../../../../gateway/supervisor/assertion-secret.ts';
import { resolveAssertionSecret } from '../../../../upstreams/common/assertion.ts';

const envs: Array<[string, NodeJS.ProcessEnv]> = [
  ['only JWT_SECRET_KEY', { JWT_SECRET_KEY: 'a-jwt-secret-that-is-long-enough-0123456789' }],
  ['a long GATEWAY_ASSERTION_SECRET', { JWT_SECRET_KEY: 'x', GATEWAY_ASSERTION_SECRET: 'g'.repeat(40) }],
  ['a too-short GATEWAY_ASSERTION_SECRET (ignored)', { JWT_SECRET_KEY: 'k'.repeat(40), GATEWAY_ASSERTION_SECRET: 'short' }],
  ['nothing (dev fallback)', {}],
];

describe('gateway assertion key derivation', () => {
  it.each(envs)('gateway and upstream derive the same key with %s', (_name, env) => {
    expect(Buffer.from(resolveGatewayAssertionSecret(env))).toEqual(Buffer.from(resolveAssertionSecret(env)));
  });

  it.each(envs)('a supervised child given the supervisor secret derives the gateway key with %s', (_name, env) => {
    const childEnv = { GATEWAY_ASSERTION_SECRET: childAssertionSecret(env) };
    expect(Buffer.from(resolveAssertionSecret(childEnv))).toEqual(Buffer.from(resolveGatewayAssertionSecret(env)));
  });

  it('does not use JWT_SECRET_KEY itself as the key', () => {
    const env = { JWT_SECRET_KEY: 'a-jwt-secret-that-is-long-enough-0123456789' };
    expect(Buffer.from(resolveGatewayAssertionSecret(env)).toString()).not.toContain(env.JWT_SECRET_KEY);
  });

  it('changes when JWT_SECRET_KEY changes', () => {
    const a = Buffer.from(resolveGatewayAssertionSecret({ JWT_SECRET_KEY: 'a'.repeat(40) }));
    const b = Buffer.from(resolveGatewayAssertionSecret({ JWT_SECRET_KEY: 'b'.repeat(40) }));
    expect(a.equals(b)).toBe(false);
  });
});
